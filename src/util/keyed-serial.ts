// Work on one key runs one piece at a time, in the order asked, while different keys run side by
// side: the registry serializes the updates of one object (no compare-and-swap retries between its
// own requests), the process runtime a pod's sandbox creation and removal. Work on a free key
// starts at once, synchronously, as a plain call would. A failed piece does not stop the next.

export class KeyedSerial {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const tail = this.tails.get(key);
    const next = tail ? tail.then(fn) : fn();
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, settled);
    void settled.then(() => this.tails.get(key) === settled && this.tails.delete(key));
    return next;
  }

  /** Keys with work queued or running (for tests). */
  get busyKeys(): number {
    return this.tails.size;
  }
}
