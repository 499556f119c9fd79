// The process runtime's images: the host's file system is every image's file system, so an image
// only contributes its entrypoint (ENTRYPOINT + CMD), working directory and environment, taken from
// an image map keyed by repository (tag and digest ignored; `docker.io/` and `library/` dropped, so
// `nginx`, `nginx:1.25` and `docker.io/library/nginx@sha256:...` are one entry). Built-in entries
// behave like the real images' entrypoints on a Debian host: busybox/alpine `sh`, debian/ubuntu
// `bash`, python `python3`, pause (sleeps until SIGTERM), and nginx, which runs the host's nginx in
// the foreground with the official image's configuration (written into the container's writable
// layer by nginxFiles) serving /usr/share/nginx/html on port 80. Entries from the optional map file
// (JSON or YAML, `{ "<repo>": { command, args, workingDir, env } }`) override and extend them.
// The container's command/args follow Kubernetes' rules against the image's ENTRYPOINT/CMD.
// Deliberately absent: pulling, layers, image-specific binaries the host lacks (busybox applets).

import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { parse } from 'yaml';

export interface ImageEntry {
  /** ENTRYPOINT. */
  command?: string[];
  /** CMD. */
  args?: string[];
  workingDir?: string;
  env?: Record<string, string>;
}

/** A container's image could not give it a process (the kubelet's CreateContainerError). */
export class ContainerCreateError extends Error {
  readonly reason = 'CreateContainerError';
}

const PAUSE: ImageEntry = { command: ['/bin/sh', '-c', 'trap "exit 0" TERM INT; while :; do sleep 3600 & wait $!; done'] };

const BUILT_IN: Record<string, ImageEntry> = {
  busybox: { args: ['sh'] },
  alpine: { args: ['/bin/sh'] },
  debian: { args: ['bash'] },
  ubuntu: { args: ['/bin/bash'] },
  bash: { command: ['bash'] },
  python: { args: ['python3'] },
  nginx: { args: ['nginx', '-g', 'daemon off;'] },
  'registry.k8s.io/nginx-slim': { args: ['nginx', '-g', 'daemon off;'] },
  'k8s.gcr.io/nginx-slim': { args: ['nginx', '-g', 'daemon off;'] },
  'registry.k8s.io/pause': PAUSE,
  'k8s.gcr.io/pause': PAUSE,
};

/** The repository an image reference names, normalised: `docker.io/library/nginx:1.25` → `nginx`. */
export function imageRepository(image: string): string {
  let ref = image.split('@')[0];
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) ref = ref.slice(0, colon);
  ref = ref.replace(/^(index\.)?docker\.io\//, '').replace(/^library\//, '');
  return ref.toLowerCase();
}

/** A digest-form image ID (`docker.io/library/nginx@sha256:...`), stable per image reference. */
export function processImageID(image: string): string {
  const repo = imageRepository(image);
  const full = repo.includes('/') && /[.:]|^localhost$/.test(repo.split('/')[0]) ? repo : `docker.io/${repo.includes('/') ? repo : `library/${repo}`}`;
  return `${full}@sha256:${createHash('sha256').update(`berth-process/${image}`).digest('hex')}`;
}

export interface ResolvedProcess {
  argv: string[];
  workingDir: string;
  /** The image's environment (the container's env overrides it). */
  env: Record<string, string>;
  /** The built-in image, whose files the runtime adds to the writable layer (nginx's configuration). */
  builtIn?: string;
}

export class ImageMap {
  private cache?: { mtimeMs: number; entries: Record<string, ImageEntry> };

  constructor(private readonly file?: string) {}

  private fileEntries(): Record<string, ImageEntry> {
    if (!this.file) return {};
    let mtimeMs: number;
    try {
      mtimeMs = statSync(this.file).mtimeMs;
    } catch {
      return {};
    }
    if (this.cache?.mtimeMs === mtimeMs) return this.cache.entries;
    const raw = parse(readFileSync(this.file, 'utf8')) ?? {};
    const entries: Record<string, ImageEntry> = {};
    for (const [k, v] of Object.entries<any>(raw)) if (v && typeof v === 'object') entries[imageRepository(k)] = v;
    this.cache = { mtimeMs, entries };
    return entries;
  }

  entry(image: string): { entry: ImageEntry; builtIn?: string } | undefined {
    const repo = imageRepository(image);
    const own = this.fileEntries()[repo];
    if (own) return { entry: own };
    const b = BUILT_IN[repo];
    return b ? { entry: b, builtIn: repo } : undefined;
  }

  /** Kubernetes' rules: command replaces ENTRYPOINT (and drops CMD), args replace CMD. */
  resolve(container: { image: string; command?: string[]; args?: string[]; workingDir?: string }): ResolvedProcess {
    const found = this.entry(container.image);
    const e = found?.entry ?? {};
    const argv = container.command?.length ? [...container.command, ...(container.args ?? [])] : [...(e.command ?? []), ...(container.args ?? e.args ?? [])];
    if (!argv.length) {
      const where = this.file ? `berth's image map (${this.file})` : "berth's image map";
      throw new ContainerCreateError(`image "${container.image}" is not in ${where}; give the container a command`);
    }
    return { argv, workingDir: container.workingDir || e.workingDir || '/', env: { ...e.env }, builtIn: found?.builtIn };
  }
}

/** The official nginx image's configuration, for the host's nginx, logging to the container's stdio. */
export function nginxFiles(): Record<string, string> {
  const main = `user www-data;
worker_processes auto;
error_log /dev/stderr notice;
pid /var/run/nginx.pid;
events {
    worker_connections 1024;
}
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    log_format main '$remote_addr - $remote_user [$time_local] "$request" '
                    '$status $body_bytes_sent "$http_referer" '
                    '"$http_user_agent" "$http_x_forwarded_for"';
    access_log /dev/stdout main;
    sendfile on;
    keepalive_timeout 65;
    include /etc/nginx/conf.d/*.conf;
}
`;
  const site = `server {
    listen 80;
    server_name localhost;
    location / {
        root /usr/share/nginx/html;
        index index.html index.htm;
    }
    error_page 500 502 503 504 /50x.html;
    location = /50x.html {
        root /usr/share/nginx/html;
    }
}
`;
  return { 'etc/nginx/nginx.conf': main, 'etc/nginx/conf.d/default.conf': site };
}
