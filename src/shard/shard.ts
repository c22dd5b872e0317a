// A shard: the databases of the keys hashed to it, owned by exactly one thread.

import { Heap } from '../store/heap';
import { Keyspace } from '../store/keyspace';
import { BlockingRegistry } from '../dispatch/blocking';
import { WatchTable } from '../dispatch/watch';
import { PubSubRegistry } from '../pubsub/registry';
import { EventClass, eventClassEnabled, publishKeyspaceEvent } from '../pubsub/notify';

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
  /** Pub/Sub subscriptions of this thread's clients. */
  readonly pubsub = new PubSubRegistry();
  dbs: Keyspace[];
  readonly stats: ShardStats = { keyspaceHits: 0, keyspaceMisses: 0, expiredKeys: 0, evictedKeys: 0 };

  constructor(readonly index: number, databases: number) {
    this.dbs = [];
    for (let i = 0; i < databases; i++) this.dbs.push(this.newKeyspace());
  }

  private newKeyspace(): Keyspace {
    const ks = new Keyspace(this.heap);
    ks.onExpire = (key) => {
      this.stats.expiredKeys++;
      publishKeyspaceEvent(this.pubsub, this.dbs.indexOf(ks), EventClass.Expired, 'expired', key);
    };
    ks.onInsert = (key) => {
      if (eventClassEnabled(EventClass.New)) publishKeyspaceEvent(this.pubsub, this.dbs.indexOf(ks), EventClass.New, 'new', Buffer.from(key.buffer, key.byteOffset, key.length));
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

  /** Empties one database; WATCHed keys that existed count as changed. */
  flushDb(index: number): void {
    const db = this.dbs[index];
    if (!this.watches.empty) {
      const now = Date.now();
      this.watches.touchDb(index, (key) => db.find(key, now) >= 0);
    }
    db.clear();
  }

  flushAll(): void {
    for (let i = 0; i < this.dbs.length; i++) this.flushDb(i);
  }

  /** SWAPDB: WATCHed keys of either database that exist on either side count as changed. */
  swapDb(a: number, b: number): void {
    if (!this.watches.empty) {
      const now = Date.now();
      const existsInEither = (key: Buffer) => this.dbs[a].find(key, now) >= 0 || this.dbs[b].find(key, now) >= 0;
      this.watches.touchDb(a, existsInEither);
      this.watches.touchDb(b, existsInEither);
    }
    const t = this.dbs[a];
    this.dbs[a] = this.dbs[b];
    this.dbs[b] = t;
    // Clients blocked on keys of either database may find data there now.
    this.blocking.signalDb(a);
    this.blocking.signalDb(b);
  }

  keyCount(): number {
    let n = 0;
    for (const db of this.dbs) n += db.size;
    return n;
  }
}
