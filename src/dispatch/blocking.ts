// Clients blocked on keys (BLPOP, BZPOPMIN, BLMOVE, ...), per shard.
//
// A blocking command that finds no data calls ctx.block(): its argv is kept
// and queued on each of its keys, FIFO. Writers call ctx.signalReady(key);
// after the command that signalled, every waiter queued on a ready key is
// re-run, in order, until one blocks again. The reply goes to whoever asked:
// a client of this thread, or a request from another thread (by request id).

import Denque from 'denque';

export type TimeoutReply = 'nilArray' | 'nil';

/** Where a blocked command's eventual reply goes. */
export type BlockOrigin =
  | { kind: 'client'; client: import('../net/client').Client }
  | { kind: 'peer'; peer: number; requestId: number; proto: 2 | 3 }
  /** A client blocked on keys of several shards: the shard only tells its thread that a key got data. */
  | { kind: 'watch'; thread: number };

export interface BlockedCall {
  argv: Buffer[];
  /** The blocked client's id (CLIENT UNBLOCK, CLIENT LIST). */
  clientId: number;
  dbIndex: number;
  /** Queue names (db + key) this call waits in. */
  queues: string[];
  origin: BlockOrigin;
  timeoutReply: TimeoutReply;
  timer: NodeJS.Timeout | null;
  done: boolean;
  /** Re-run after any write to its keys, not only when they get data (BlockOptions.wakeOnWrite). */
  wakeOnWrite: boolean;
  /** A watch whose thread was told of data and has not had its turn yet: later waiters wait. */
  notified: boolean;
}

/** Queue name of a key in a database. */
function queueName(dbIndex: number, key: Uint8Array): string {
  return `${dbIndex}:${Buffer.from(key.buffer, key.byteOffset, key.byteLength).latin1Slice(0, key.byteLength)}`;
}

export class BlockingRegistry {
  private readonly queues = new Map<string, Denque<BlockedCall>>();
  private readonly ready: string[] = [];
  private readonly readySet = new Set<string>();
  /** Calls by origin, to cancel them when a client goes away. */
  private readonly byClient = new Map<object, BlockedCall>();
  private readonly byRequest = new Map<string, BlockedCall>();
  /** Watches of clients blocked on several shards (not counted as blocked here: their thread counts them). */
  private readonly byWatch = new Map<string, BlockedCall>();
  /** Queues holding wakeOnWrite calls, with how many. */
  private readonly writeWatched = new Map<string, number>();

  get blockedCount(): number {
    return this.byClient.size + this.byRequest.size;
  }

  /** Queues a call on its keys, with a timer when timeoutMs > 0. */
  add(argv: Buffer[], clientId: number, dbIndex: number, keys: Buffer[], timeoutMs: number, timeoutReply: TimeoutReply, origin: BlockOrigin, onTimeout: (call: BlockedCall) => void, wakeOnWrite = false): void {
    const call: BlockedCall = {
      argv: argv.map((a) => Buffer.from(a)), // argv are views into socket or ring memory
      clientId,
      dbIndex,
      queues: [],
      origin,
      timeoutReply,
      timer: null,
      done: false,
      wakeOnWrite,
      notified: false,
    };
    for (const key of keys) {
      const name = queueName(dbIndex, key);
      if (call.queues.includes(name)) continue;
      call.queues.push(name);
      let q = this.queues.get(name);
      if (q === undefined) this.queues.set(name, (q = new Denque()));
      q.push(call);
      if (wakeOnWrite) this.writeWatched.set(name, (this.writeWatched.get(name) ?? 0) + 1);
    }
    if (timeoutMs > 0) {
      call.timer = setTimeout(() => {
        if (call.done) return;
        this.remove(call);
        onTimeout(call);
      }, timeoutMs);
    }
    if (origin.kind === 'client') this.byClient.set(origin.client, call);
    else if (origin.kind === 'peer') this.byRequest.set(`${origin.peer}:${origin.requestId}`, call);
    else this.byWatch.set(`${origin.thread}:${clientId}`, call);
  }

  /** Notes that a key may have data for its waiters. */
  signal(dbIndex: number, key: Uint8Array): void {
    if (this.queues.size === 0) return;
    const name = queueName(dbIndex, key);
    if (!this.queues.has(name) || this.readySet.has(name)) return;
    this.readySet.add(name);
    this.ready.push(name);
  }

  /** True when some blocked call wants to hear of any write (wakeOnWrite). */
  get hasWriteWatchers(): boolean {
    return this.writeWatched.size > 0;
  }

  /** Notes a successful write to a key: its wakeOnWrite waiters must re-check. */
  signalWrite(dbIndex: number, key: Uint8Array): void {
    if (this.writeWatched.size === 0) return;
    const name = queueName(dbIndex, key);
    if (this.writeWatched.has(name)) this.markReady(name);
  }

  /** Notes a write that may have changed any key (FLUSHALL, SWAPDB): every wakeOnWrite waiter re-checks. */
  signalWriteEverywhere(): void {
    for (const name of this.writeWatched.keys()) this.markReady(name);
  }

  private markReady(name: string): void {
    if (this.readySet.has(name)) return;
    this.readySet.add(name);
    this.ready.push(name);
  }

  get hasReady(): boolean {
    return this.ready.length > 0;
  }

  /**
   * Re-runs waiters of ready keys in FIFO order. `rerun` returns true when the call was
   * served (it replied) and false when it blocked again, or is a watch whose thread takes its turn.
   */
  serveReady(rerun: (call: BlockedCall) => boolean): void {
    while (this.ready.length > 0) {
      const name = this.ready.shift()!;
      this.readySet.delete(name);
      const q = this.queues.get(name);
      while (q !== undefined && q.length > 0) {
        const call = q.peekFront()!;
        if (!rerun(call)) break;
        this.remove(call);
      }
    }
  }

  /** True when a client of this thread waits here in a blocked call. */
  isBlocked(client: object): boolean {
    return this.byClient.has(client);
  }

  /** Forgets a client's blocked call (the client disconnected). */
  cancelClient(client: object): void {
    const call = this.byClient.get(client);
    if (call) this.remove(call);
  }

  /** Takes out the blocked call of a client id (CLIENT UNBLOCK), or null if it isn't blocked here. */
  takeByClientId(clientId: number): BlockedCall | null {
    for (const map of [this.byClient, this.byRequest] as const) {
      for (const call of map.values()) {
        if (call.clientId !== clientId) continue;
        this.remove(call);
        return call;
      }
    }
    return null;
  }

  /** Marks every key of a database with waiters as ready (SWAPDB brought in another keyspace). */
  signalDb(dbIndex: number): void {
    const prefix = `${dbIndex}:`;
    for (const name of this.queues.keys()) {
      if (name.startsWith(prefix) && !this.readySet.has(name)) {
        this.readySet.add(name);
        this.ready.push(name);
      }
    }
  }

  /** Queues a watch for a thread's client blocked on keys of several shards; an existing one is re-armed in place. */
  watch(thread: number, clientId: number, dbIndex: number, keys: Buffer[]): void {
    const existing = this.byWatch.get(`${thread}:${clientId}`);
    if (existing !== undefined) existing.notified = false;
    else this.add([], clientId, dbIndex, keys, 0, 'nilArray', { kind: 'watch', thread }, () => {});
  }

  /** Drops the watch a thread's cross-shard blocked client keeps on this shard. */
  unwatch(thread: number, clientId: number): void {
    const call = this.byWatch.get(`${thread}:${clientId}`);
    if (call === undefined) return;
    this.remove(call);
    // It held its keys' queues while its thread took its turn: the next waiters' turn now.
    if (call.notified) for (const name of call.queues) this.markReady(name);
  }

  /** Forgets a remote request's blocked call (its client disconnected). */
  cancelRequest(peer: number, requestId: number): void {
    const call = this.byRequest.get(`${peer}:${requestId}`);
    if (call) this.remove(call);
  }

  private remove(call: BlockedCall): void {
    if (call.done) return;
    call.done = true;
    if (call.timer) clearTimeout(call.timer);
    for (const name of call.queues) {
      const q = this.queues.get(name)!;
      const i = q.toArray().indexOf(call);
      if (i >= 0) q.removeOne(i);
      if (q.length === 0) this.queues.delete(name);
      if (call.wakeOnWrite) {
        const n = this.writeWatched.get(name)! - 1;
        if (n === 0) this.writeWatched.delete(name);
        else this.writeWatched.set(name, n);
      }
    }
    if (call.origin.kind === 'client') this.byClient.delete(call.origin.client);
    else if (call.origin.kind === 'peer') this.byRequest.delete(`${call.origin.peer}:${call.origin.requestId}`);
    else this.byWatch.delete(`${call.origin.thread}:${call.clientId}`);
  }
}
