// WATCH bookkeeping of one shard: which clients watch which keys of it, and
// which of those clients saw a watched key change (their EXEC must fail).
//
// Modifications are noted by the dispatcher after every write command that
// succeeded (all of its keys), by expiry of keys that existed when watched, and
// by FLUSHDB/FLUSHALL/SWAPDB for watched keys that existed.

import type { Keyspace } from '../store/keyspace';

interface Watch {
  clientId: number;
  dbIndex: number;
  key: Buffer;
  /** The key existed when WATCH ran: its later expiry counts as a change. */
  existed: boolean;
}

function watchKey(dbIndex: number, key: Uint8Array): string {
  return `${dbIndex}:${Buffer.from(key.buffer, key.byteOffset, key.byteLength).latin1Slice(0, key.byteLength)}`;
}

export class WatchTable {
  /** Watches per db:key. */
  private readonly byKey = new Map<string, Watch[]>();
  /** Watches per client id. */
  private readonly byClient = new Map<number, Watch[]>();
  private readonly dirty = new Set<number>();

  get empty(): boolean {
    return this.byKey.size === 0;
  }

  add(clientId: number, dbIndex: number, key: Uint8Array, existed: boolean): void {
    const name = watchKey(dbIndex, key);
    const list = this.byKey.get(name);
    if (list?.some((w) => w.clientId === clientId)) return;
    const w: Watch = { clientId, dbIndex, key: Buffer.from(key), existed };
    if (list) list.push(w);
    else this.byKey.set(name, [w]);
    const mine = this.byClient.get(clientId);
    if (mine) mine.push(w);
    else this.byClient.set(clientId, [w]);
  }

  /** A watched key changed: every client watching it fails its EXEC. */
  touch(dbIndex: number, key: Uint8Array): void {
    const list = this.byKey.get(watchKey(dbIndex, key));
    if (list) for (const w of list) this.dirty.add(w.clientId);
  }

  /**
   * A database was emptied or replaced (FLUSHDB, FLUSHALL, SWAPDB): touches its watched
   * keys for which `affected` says the key existed before or exists after.
   */
  touchDb(dbIndex: number, affected: (key: Buffer) => boolean): void {
    for (const list of this.byKey.values()) {
      for (const w of list) if (w.dbIndex === dbIndex && affected(w.key)) this.dirty.add(w.clientId);
    }
  }

  /**
   * True when a key the client watches here changed, or existed when watched and has
   * expired since (EXEC must then fail).
   */
  isDirty(clientId: number, dbs: readonly Keyspace[], now: number): boolean {
    for (const w of this.byClient.get(clientId) ?? []) {
      if (w.existed && dbs[w.dbIndex].find(w.key, now) < 0) this.dirty.add(clientId);
    }
    return this.dirty.has(clientId);
  }

  /** Drops all of a client's watches here (EXEC, DISCARD, UNWATCH, disconnect). */
  unwatchAll(clientId: number): void {
    this.dirty.delete(clientId);
    const mine = this.byClient.get(clientId);
    if (!mine) return;
    this.byClient.delete(clientId);
    for (const w of mine) {
      const name = watchKey(w.dbIndex, w.key);
      const list = this.byKey.get(name)!.filter((x) => x !== w);
      if (list.length === 0) this.byKey.delete(name);
      else this.byKey.set(name, list);
    }
  }
}
