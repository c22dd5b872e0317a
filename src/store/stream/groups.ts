// Consumer groups of a stream (Redis streamCG / streamConsumer / streamNACK).
// They are small in practice, so they are plain objects: groups and consumers
// in arrays sorted by name bytes (the order Redis's radix trees list them in),
// pending entries (NACKs) in arrays sorted by ID, shared between the group's
// PEL and the owning consumer's PEL.

import { StreamId } from './id';

/** entries_read value meaning "unknown" (Redis SCG_INVALID_ENTRIES_READ). */
export const INVALID_ENTRIES_READ = -1;

/** A delivered, not yet acknowledged entry. */
export class Nack {
  constructor(
    readonly id: StreamId,
    /** Owner; null only transiently (XCLAIM FORCE creating it). */
    public consumer: Consumer | null,
    public deliveryTime: number,
    public deliveryCount: number,
  ) {}
}

export class Consumer {
  readonly pel: Nack[] = [];
  constructor(readonly name: Buffer, public seenTime: number) {}
}

export class ConsumerGroup {
  readonly pel: Nack[] = [];
  readonly consumers: Consumer[] = [];
  constructor(readonly name: Buffer, readonly lastId: StreamId, public entriesRead: number) {}

  /** The consumer named `name`, or null. */
  consumer(name: Uint8Array): Consumer | null {
    const i = nameIndex(this.consumers, name);
    return i >= 0 ? this.consumers[i] : null;
  }

  /** Creates consumer `name`; null when it already exists. */
  createConsumer(name: Uint8Array, now: number): Consumer | null {
    const i = nameIndex(this.consumers, name);
    if (i >= 0) return null;
    const consumer = new Consumer(Buffer.from(name), now);
    this.consumers.splice(-i - 1, 0, consumer);
    return consumer;
  }

  /** Removes a consumer and its pending entries; returns how many it had. */
  deleteConsumer(consumer: Consumer): number {
    const pending = consumer.pel.length;
    for (const nack of consumer.pel) pelRemove(this.pel, nack.id);
    this.consumers.splice(nameIndex(this.consumers, consumer.name), 1);
    return pending;
  }
}

/** Index of the item named `name` in a name-sorted array, or -(insertion point) - 1. */
export function nameIndex(items: ReadonlyArray<{ name: Buffer }>, name: Uint8Array): number {
  let lo = 0;
  let hi = items.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = items[mid].name.compare(name);
    if (c === 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -lo - 1;
}

/** Index of the first NACK with ID >= id. */
export function pelLowerBound(pel: readonly Nack[], id: StreamId): number {
  let lo = 0;
  let hi = pel.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (pel[mid].id.compare(id) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function pelFind(pel: readonly Nack[], id: StreamId): Nack | null {
  const i = pelLowerBound(pel, id);
  return i < pel.length && pel[i].id.compare(id) === 0 ? pel[i] : null;
}

/** Inserts a NACK whose ID is not in the PEL yet. */
export function pelInsert(pel: Nack[], nack: Nack): void {
  const n = pel.length;
  if (n === 0 || pel[n - 1].id.compare(nack.id) < 0) pel.push(nack);
  else pel.splice(pelLowerBound(pel, nack.id), 0, nack);
}

export function pelRemove(pel: Nack[], id: StreamId): void {
  const i = pelLowerBound(pel, id);
  if (i < pel.length && pel[i].id.compare(id) === 0) pel.splice(i, 1);
}
