// What every controller is built from: the client, the process's shared informers, an event
// recorder per component, the injected clock and a transcript log. A controller's constructor
// registers its informer handlers; the wiring starts the informers, then calls start().

import type { Client } from '../client/client.js';
import { EventRecorder } from '../client/events.js';
import type { SharedInformers } from '../client/shared-informers.js';

export interface ControllerDeps {
  client: Client;
  informers: SharedInformers;
  /** The recorder for one reporting component (e.g. `persistentvolume-controller`). */
  events(component: string): EventRecorder;
  now: () => Date;
  log?: (line: string) => void;
}

export function controllerDeps(client: Client, informers: SharedInformers, opts: { now?: () => Date; log?: (l: string) => void; host?: string } = {}): ControllerDeps {
  const now = opts.now ?? (() => new Date());
  const recorders = new Map<string, EventRecorder>();
  return {
    client,
    informers,
    now,
    log: opts.log,
    events(component) {
      let r = recorders.get(component);
      if (!r) recorders.set(component, (r = new EventRecorder(client, { component, host: opts.host, now, log: opts.log })));
      return r;
    },
  };
}
