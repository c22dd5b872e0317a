// The tracking table of one shard (Redis's TrackingTable): for each key of the
// shard that tracking clients read, who read it. A reader is a client id and
// the thread the client lives on, packed in one number. Most keys have a single
// reader, stored as a bare number; only shared keys get an array.

/** More than the number of threads a server can have (the 'threads' config maximum is 128). */
const THREAD_SLOTS = 128;

export function readerRef(clientId: number, thread: number): number {
  return clientId * THREAD_SLOTS + thread;
}

export function threadOfReader(ref: number): number {
  return ref % THREAD_SLOTS;
}

export function clientOfReader(ref: number): number {
  return Math.floor(ref / THREAD_SLOTS);
}

export class ReaderTable {
  /** Readers by latin1 key name, in the order the keys were first read. */
  private readonly readers = new Map<string, number | number[]>();
  /** Readers over all keys (INFO tracking_total_items). */
  items = 0;

  get keyCount(): number {
    return this.readers.size;
  }

  add(name: string, ref: number): void {
    const known = this.readers.get(name);
    if (known === undefined) {
      this.readers.set(name, ref);
    } else if (typeof known === 'number') {
      if (known === ref) return;
      this.readers.set(name, [known, ref]);
    } else {
      if (known.includes(ref)) return;
      known.push(ref);
    }
    this.items++;
  }

  /** Removes a key and returns its readers (undefined when nobody read it). */
  take(name: string): number | number[] | undefined {
    const known = this.readers.get(name);
    if (known === undefined) return undefined;
    this.readers.delete(name);
    this.items -= typeof known === 'number' ? 1 : known.length;
    return known;
  }

  /** The key read first among those still tracked (the one evicted when the table is full). */
  oldest(): string | undefined {
    return this.readers.keys().next().value;
  }

  clear(): void {
    this.readers.clear();
    this.items = 0;
  }
}
