// A shard: the databases of the keys hashed to it, owned by exactly one thread.

import { Heap } from '../store/heap';
import { Keyspace } from '../store/keyspace';
import { BlockingRegistry } from '../dispatch/blocking';
import { WatchTable } from '../dispatch/watch';

export interface ShardStats {
  keyspaceHits: number;
  keyspaceMisses: number;
  expiredKeys: number;
  evictedKeys: number;
}

/** Work budget for one active-expiry pass, per database. */
const ACTIVE_EXPIRE_BUDGET = 2000;

export class Shard {
  readonly heap = new Heap();
  /** Clients blocked on keys of this shard. */
  readonly blocking = new BlockingRegistry();
  /** Keys of this shard that clients WATCH. */
  readonly watches = new WatchTable();
  dbs: Keyspace[];
  readonly stats: ShardStats = { keyspaceHits: 0, keyspaceMisses: 0, expiredKeys: 0, evictedKeys: 0 };

  constructor(readonly index: number, databases: number) {
    this.dbs = [];
    for (let i = 0; i < databases; i++) this.dbs.push(this.newKeyspace());
  }

  private newKeyspace(): Keyspace {
    const ks = new Keyspace(this.heap);
    ks.onExpire = () => {
      this.stats.expiredKeys++;
    };
    return ks;
  }

  /** Background expiry on or off (DEBUG SET-ACTIVE-EXPIRE). */
  activeExpireEnabled = true;

  /** Reclaims expired keys in every database; called from a timer. */
  activeExpire(now: number): void {
    if (!this.activeExpireEnabled) return;
    for (const db of this.dbs) if (db.expiresCount > 0) db.activeExpire(now, ACTIVE_EXPIRE_BUDGET);
  }

  flushAll(): void {
    for (const db of this.dbs) db.clear();
  }

  swapDb(a: number, b: number): void {
    const t = this.dbs[a];
    this.dbs[a] = this.dbs[b];
    this.dbs[b] = t;
  }

  keyCount(): number {
    let n = 0;
    for (const db of this.dbs) n += db.size;
    return n;
  }
}
