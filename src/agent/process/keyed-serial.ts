// Work on one key runs one piece at a time, in the order asked, while different keys run side by
// side (the process runtime serializes a pod's sandbox creation and removal by the pod's UID). A
// failed piece does not stop the next.

export class KeyedSerial {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const next = (this.tails.get(key) ?? Promise.resolve()).catch(() => undefined).then(fn);
    const settled = next.catch(() => undefined);
    this.tails.set(key, settled);
    void settled.then(() => this.tails.get(key) === settled && this.tails.delete(key));
    return next;
  }
}
