// Links between shard threads: SharedArrayBuffer rings carry commands to the
// shard that owns their keys and replies back, with one Atomics.notify per
// peer per event-loop turn (batched hops, never a message per command).
//
// Atomicity across shards: a command whose keys span shards (or that runs on
// all shards) takes a process-wide lock, freezes every other shard (LOCK: the
// peer then serves only the coordinator's ring and parks its own clients),
// runs its steps, and releases them (UNLOCK). One coordinator at a time, and
// nobody ever blocks a thread, so this cannot deadlock.

import Denque from 'denque';
import type { Command, ShardTx } from './command';
import type { Dispatcher } from './dispatcher';
import type { Client } from '../net/client';
import { ClientFlag } from '../net/client';
import { ReplyWriter, type Protocol } from '../protocol/reply';
import { RingReader, RingWriter, createRingBuffer } from './ring';
import { shardOfKey } from './routing';
import { arrayElements, arrayHeader, integerOf, isError } from './resp-scan';
import { TRACKED_READ, protocolOf, requestProto } from '../tracking/client-state';

const RING_BYTES = 1 << 20;

/**
 * Record kinds: a client's command (may block), a coordinator's step (never blocks: the
 * coordinator waits for it while every shard is frozen), freeze/unfreeze, cancel a block, and
 * a step of a script (a coordinator's step that commands such as SORT know came from a script).
 */
const enum Kind { Exec = 0, Lock = 1, Unlock = 2, Unblock = 3, Step = 4, ScriptStep = 5 }

export interface LinkBuffers {
  /** rings[from][to]: requests from thread `from` to shard `to`. */
  requests: SharedArrayBuffer[][];
  /** replies[from][to]: replies from shard `to` back to thread `from`. */
  replies: SharedArrayBuffer[][];
  /**
   * One doorbell counter per thread, then the coordinator lock (index `count`), the busy script
   * (`count + 1`: its thread + 1, plus SCRIPT_WROTE once it wrote and SCRIPT_FUNCTION for FCALL) and
   * SCRIPT KILL (`count + 2`).
   */
  control: SharedArrayBuffer;
  /** The busy function's start time, name and FCALL argv (FUNCTION STATS on the other threads). */
  busyFunction: SharedArrayBuffer;
}

export function createLinkBuffers(count: number): LinkBuffers {
  const grid = () => Array.from({ length: count }, (_, from) =>
    Array.from({ length: count }, (_, to) => (from === to ? new SharedArrayBuffer(0) : createRingBuffer(RING_BYTES))));
  return { requests: grid(), replies: grid(), control: new SharedArrayBuffer(4 * (count + 3)), busyFunction: new SharedArrayBuffer(BUSY_FUNCTION_BYTES) };
}

/**
 * A client's reply that is not ready yet: commands of one pipeline may run on several shards
 * at once, and their replies are queued in command order until each has arrived.
 */
class PendingReply {
  bytes: Buffer | null = null;
  /** Dropped on arrival: CLIENT REPLY OFF|SKIP was in force when the command ran. */
  readonly muted: boolean;
  constructor(readonly client: Client) {
    this.muted = client.repliesMuted;
  }
}

/** Someone waiting for a reply from a peer: a client's pipelined command, or a coordinator step. */
type Waiter = PendingReply | ((reply: Buffer) => void);

/** Outgoing records for one ring, with the ones that did not fit yet. */
class Outbox {
  readonly writer: RingWriter;
  private readonly backlog = new Denque<{ record: Buffer; sent: number }>();

  constructor(sab: SharedArrayBuffer) {
    this.writer = new RingWriter(sab);
  }

  /** Queues a record; returns false if part of it is still waiting for room. */
  send(record: Buffer): boolean {
    if (this.backlog.length === 0) {
      const sent = this.write(record, 0);
      if (sent === record.length) return true;
      this.backlog.push({ record: Buffer.from(record), sent });
      return false;
    }
    this.backlog.push({ record: Buffer.from(record), sent: 0 });
    return false;
  }

  /** Retries the backlog; true when it is empty. */
  retry(): boolean {
    while (this.backlog.length > 0) {
      const item = this.backlog.peekFront()!;
      item.sent = this.write(item.record, item.sent);
      if (item.sent < item.record.length) return false;
      this.backlog.shift();
    }
    return true;
  }

  private write(record: Buffer, from: number): number {
    const w = this.writer;
    let sent = from;
    do {
      const len = Math.min(record.length - sent, w.maxFragment);
      const at = w.reserve(len, record.length);
      if (at < 0) break;
      record.copy(w.buffer, at, sent, sent + len);
      sent += len;
    } while (sent < record.length);
    w.commit();
    return sent;
  }
}

export class ShardLinks {
  private dispatcher!: Dispatcher;
  private readonly control: Int32Array;
  private readonly busyFunctionBytes: SharedArrayBuffer;
  private readonly requestOut: Array<Outbox | null>;
  private readonly replyOut: Array<Outbox | null>;
  private readonly requestIn: Array<RingReader | null>;
  private readonly replyIn: Array<RingReader | null>;
  /**
   * Per peer, who waits for each request in flight, by request id. Replies mostly come back
   * in send order, but a blocked command (BLPOP) replies whenever it is served.
   */
  private readonly waiting: Array<Map<number, Waiter>>;
  private nextRequestId = 1;
  private readonly lockIndex: number;
  /** Peers whose doorbell must ring at the end of this turn (bit per thread). */
  private dirtyPeers = 0;
  private flushScheduled = false;
  private backlogTimer: NodeJS.Timeout | null = null;
  /** The thread whose transaction froze this shard, or -1. */
  lockedBy = -1;
  /** True while this thread coordinates a multi-shard command. */
  coordinating = false;
  /** Clients whose next command waits for the shard to be unfrozen. */
  private readonly parked = new Denque<Client>();
  private readonly scratch = new ReplyWriter();
  private readonly encoder = new ReplyWriter(4096);

  constructor(readonly self: number, readonly count: number, buffers: LinkBuffers) {
    this.control = new Int32Array(buffers.control);
    this.busyFunctionBytes = buffers.busyFunction;
    this.lockIndex = count;
    this.requestOut = buffers.requests[self].map((sab, to) => (to === self ? null : new Outbox(sab)));
    this.replyOut = buffers.replies.map((row, from) => (from === self ? null : new Outbox(row[self])));
    this.requestIn = buffers.requests.map((row, from) => (from === self ? null : new RingReader(row[self])));
    this.replyIn = buffers.replies[self].map((sab, to) => (to === self ? null : new RingReader(sab)));
    this.waiting = Array.from({ length: count }, () => new Map<number, Waiter>());
  }

  attach(dispatcher: Dispatcher): void {
    this.dispatcher = dispatcher;
    this.listen();
  }

  // ---- a script past busy-reply-threshold ----------------------------------------------
  //
  // Its thread is stuck in it with every shard frozen. The other threads then answer their
  // clients at once, as Redis does: BUSY, or SCRIPT KILL (which the script's hook picks up).

  /** Called by the busy script's thread, again every check: other threads answer BUSY from now on. */
  markScriptBusy(wrote: boolean, busyFunction: BusyFunction | null): void {
    // The function is published before the word that makes other threads read it.
    const first = Atomics.load(this.control, this.count + 1) === 0;
    if (busyFunction !== null && first) this.publishBusyFunction(busyFunction);
    Atomics.store(this.control, this.count + 1, (this.self + 1) | (wrote ? SCRIPT_WROTE : 0) | (busyFunction !== null ? SCRIPT_FUNCTION : 0));
    if (!first) return;
    // Wake every peer: clients it parked before the script turned busy get their BUSY now.
    for (let s = 0; s < this.count; s++) {
      if (s === this.self) continue;
      Atomics.add(this.control, s, 1);
      Atomics.notify(this.control, s);
    }
  }

  /** The function busy on another thread, or null (none, or an EVAL script). */
  get functionBusyElsewhere(): BusyFunction | null {
    if (!this.scriptBusyElsewhere || (Atomics.load(this.control, this.count + 1) & SCRIPT_FUNCTION) === 0) return null;
    const view = Buffer.from(this.busyFunctionBytes);
    const startedAt = view.readDoubleLE(0);
    const argv: Buffer[] = [];
    let pos = 12;
    for (let i = view.readUInt32LE(8); i > 0; i--) {
      const length = view.readUInt32LE(pos);
      argv.push(Buffer.from(view.subarray(pos + 4, pos + 4 + length)));
      pos += 4 + length;
    }
    return { name: argv[0].latin1Slice(0, argv[0].length), argv: argv.slice(1), startedAt };
  }

  /** Start time, then the name and the argv as length-prefixed strings (as much of the argv as fits). */
  private publishBusyFunction(fn: BusyFunction): void {
    const view = Buffer.from(this.busyFunctionBytes);
    view.writeDoubleLE(fn.startedAt, 0);
    const strings = [Buffer.from(fn.name, 'latin1'), ...fn.argv];
    let pos = 12;
    let count = 0;
    for (const s of strings) {
      if (pos + 4 + s.length > view.length) break;
      view.writeUInt32LE(s.length, pos);
      view.set(s, pos + 4);
      pos += 4 + s.length;
      count++;
    }
    view.writeUInt32LE(count, 8);
  }

  /** The script ended. */
  clearScriptBusy(): void {
    Atomics.store(this.control, this.count + 1, 0);
    Atomics.store(this.control, this.count + 2, 0);
  }

  /** True when another thread runs a script past busy-reply-threshold. */
  get scriptBusyElsewhere(): boolean {
    const busy = Atomics.load(this.control, this.count + 1);
    return busy !== 0 && (busy & ~(SCRIPT_WROTE | SCRIPT_FUNCTION)) !== this.self + 1;
  }

  /** SCRIPT KILL (or FUNCTION KILL) from this thread for a script busy on another. */
  killScriptElsewhere(functionKill: boolean): 'killed' | 'unkillable' | 'notbusy' | 'otherkind' {
    if (!this.scriptBusyElsewhere) return 'notbusy';
    const busy = Atomics.load(this.control, this.count + 1);
    if (busy & SCRIPT_WROTE) return 'unkillable';
    if (((busy & SCRIPT_FUNCTION) !== 0) !== functionKill) return 'otherkind';
    Atomics.store(this.control, this.count + 2, 1);
    return 'killed';
  }

  /** True (once) when another thread asked to kill this thread's busy script. */
  takeScriptKill(): boolean {
    return Atomics.exchange(this.control, this.count + 2, 0) === 1;
  }

  /** Shard busy with someone's multi-shard command: this thread's clients must wait. */
  get frozen(): boolean {
    return this.lockedBy !== -1 || this.coordinating;
  }

  // ---- routing ----------------------------------------------------------

  /** Routes a checked command of a client on a multi-shard server. */
  route(cmd: Command, client: Client, argv: Buffer[]): void {
    if (this.frozen) return this.park(client, argv);
    const target = this.targetOf(cmd, argv);
    const blocking = cmd.flags.includes('blocking');
    // Single-shard keyed commands of a pipeline may run on different shards at once (their
    // replies are reordered); anything else waits until the client's earlier commands replied.
    if (client.inflight > 0 && (target < 0 || cmd.route !== 'keys' || blocking)) return this.defer(client, argv);
    if (target === this.self) {
      if (client.inflight === 0) {
        this.dispatcher.runLocal(cmd, client, argv);
      } else {
        const pending = this.queueReply(client);
        this.scratch.reset();
        this.scratch.proto = client.proto;
        this.dispatcher.runOn(cmd, client.dbIndex, this.scratch, client, argv, false, client.id);
        pending.bytes = this.scratch.take();
      }
    } else if (target >= 0) {
      const id = this.sendExec(target, client.dbIndex, requestProto(client), argv, this.queueReply(client));
      client.inflight++;
      if (blocking) {
        // Nothing may overtake a command that can block: wait for its reply.
        client.remoteBlock = { peer: target, requestId: id };
        client.flags |= ClientFlag.Waiting;
      }
    } else {
      client.flags |= ClientFlag.Waiting;
      const run = cmd.route === 'threads' ? this.fanout(cmd, client, argv) : this.coordinate(cmd, client, argv);
      run.catch((err) => this.dispatcher.log.error({ err }, 'multi-shard command failed'));
    }
  }

  /** The one shard a command runs on, or -2 when it needs several (or all) shards. */
  private targetOf(cmd: Command, argv: Buffer[]): number {
    if (cmd.route === 'all' || cmd.route === 'threads' || cmd.readsUndeclaredKeys?.(argv)) return -2;
    let target = -1;
    if (cmd.route === 'keys') {
      const [first, lastDecl, step] = cmd.keys;
      const positions = cmd.keyFinder ? cmd.keyFinder(argv) : null;
      if (positions) {
        for (const i of positions) target = mergeTarget(target, shardOfKey(argv[i], this.count));
      } else {
        const last = lastDecl < 0 ? argv.length + lastDecl : lastDecl;
        for (let i = first; i <= last && i < argv.length; i += step) target = mergeTarget(target, shardOfKey(argv[i], this.count));
      }
    }
    return target === -1 ? this.self : target; // no keys given: run here
  }

  /** Runs a whole command inside a coordination (all shards frozen), resolving with its reply. */
  private runCommand(cmd: Command, client: Client, argv: Buffer[]): Promise<Buffer | null> {
    const target = this.targetOf(cmd, argv);
    return target >= 0 ? this.execOn(target, client, argv) : this.runSplit(cmd, client, argv);
  }

  private queueReply(client: Client): PendingReply {
    const pending = new PendingReply(client);
    (client.pendingReplies ??= new Denque()).push(pending);
    return pending;
  }

  /** Moves the replies that arrived, in command order, into the client's output. */
  private releaseReplies(client: Client): void {
    const queue = client.pendingReplies!;
    while (queue.length > 0 && queue.peekFront()!.bytes !== null) {
      const pending = queue.shift()!;
      if (!pending.muted) client.reply.raw(pending.bytes!);
    }
  }

  /** Keeps a client's command until its earlier remote commands have replied. */
  private defer(client: Client, argv: Buffer[]): void {
    client.deferred = argv;
    client.flags |= ClientFlag.Waiting;
  }

  private park(client: Client, argv: Buffer[]): void {
    this.defer(client, argv);
    this.parked.push(client);
  }

  private unfreeze(): void {
    if (this.frozen) return;
    this.dispatcher.serveBlocked();
    while (this.parked.length > 0 && !this.frozen) {
      const c = this.parked.shift()!;
      if (!(c.flags & ClientFlag.Closed)) c.resume();
    }
    // Requests from other peers were left in their rings while frozen.
    this.drainAll();
  }

  // ---- multi-shard commands -------------------------------------------

  /** Runs a command whose keys span shards (or that runs everywhere), atomically. */
  private async coordinate(cmd: Command, client: Client, argv: Buffer[], deadline = 0, watchedShards: number[] = []): Promise<void> {
    const muted = client.repliesMuted; // read before the first await: the client moves on to its next command
    let blocked: CrossBlockRequest | null = null;
    await this.acquireGlobalLock();
    // The previous lock holder's UNLOCK may still be in its ring (it rings our doorbell only at
    // the end of its turn): take it now, or we would stay frozen by it, never draining that ring.
    this.drainAll();
    this.coordinating = true;
    const peers: number[] = [];
    for (let s = 0; s < this.count; s++) if (s !== this.self) peers.push(s);
    try {
      await Promise.all(peers.map((s) => this.request(s, Kind.Lock, 0, 2, [])));
      const reply = await this.runSplit(cmd, client, argv, (request) => (blocked = request));
      if (reply !== null) {
        // Served after a watch fired: drop the watches while still frozen, so the next client
        // waiting on those keys is only told once this one has taken its data.
        const unwatch = [XUNWATCH, Buffer.from(String(this.self))];
        await Promise.all(watchedShards.map((s) => this.execOn(s, client, unwatch)));
        if (!muted) client.reply.raw(reply);
      }
    } finally {
      for (const s of peers) this.sendRecord(s, Kind.Unlock, 0, 2, [], 0);
      this.coordinating = false;
      this.releaseGlobalLock();
      if (blocked !== null) {
        this.startCrossBlock(cmd, client, argv, blocked, deadline);
      } else {
        client.flags &= ~ClientFlag.Waiting;
        client.resume();
      }
      this.unfreeze();
    }
  }

  // ---- clients blocked on keys of several shards ---------------------------
  //
  // The coordinator found no data: while every shard is still frozen it leaves a watch on each
  // shard holding one of the keys (so no push can slip in between). A watch that sees data tells
  // this thread (_xready) and holds its place in the key's FIFO queue, so later waiters are not
  // told before this client had its turn. The thread coordinates the whole command again: served
  // (the watches are dropped while frozen, which lets the next waiter's turn come), or blocked
  // again (the watches are re-armed in place) until the deadline.

  private readonly crossBlocked = new Map<number, { cmd: Command; client: Client; argv: Buffer[]; shards: number[]; deadline: number; timer: NodeJS.Timeout | null }>();

  /** Clients of this thread blocked on keys of several shards (INFO blocked_clients). */
  get crossBlockedCount(): number {
    return this.crossBlocked.size;
  }

  private startCrossBlock(cmd: Command, client: Client, argv: Buffer[], request: CrossBlockRequest, deadline: number): void {
    if (deadline === 0 && request.timeoutMs > 0) deadline = Date.now() + request.timeoutMs;
    const entry = { cmd, client, argv: argv.map((a) => Buffer.from(a)), shards: request.shards, deadline, timer: null as NodeJS.Timeout | null };
    if (deadline > 0) entry.timer = setTimeout(() => this.endCrossBlock(client.id, true), Math.max(0, deadline - Date.now()));
    this.crossBlocked.set(client.id, entry);
  }

  /** Drops a cross-shard blocked client's watches; on timeout it gets its null reply. */
  private endCrossBlock(clientId: number, timedOut: boolean): void {
    const entry = this.crossBlocked.get(clientId);
    if (entry === undefined) return;
    this.crossBlocked.delete(clientId);
    if (entry.timer) clearTimeout(entry.timer);
    for (const s of entry.shards) {
      if (s === this.self) this.dispatcher.shard.blocking.unwatch(this.self, clientId);
      else this.sendRecord(s, Kind.Exec, entry.client.dbIndex, 2, [XUNWATCH, Buffer.from(String(this.self))], clientId);
    }
    if (!timedOut) return;
    const client = entry.client;
    if (client.flags & ClientFlag.Closed) return;
    client.reply.nilArray();
    client.flags &= ~ClientFlag.Waiting;
    client.resume();
  }

  /** A watch saw data for a client blocked here on keys of several shards: try the command again. */
  crossReady(clientId: number): void {
    const entry = this.crossBlocked.get(clientId);
    if (entry === undefined || entry.client.flags & ClientFlag.Closed) return;
    this.crossBlocked.delete(clientId);
    if (entry.timer) clearTimeout(entry.timer);
    this.coordinate(entry.cmd, entry.client, entry.argv, entry.deadline, entry.shards).catch((err) => this.dispatcher.log.error({ err }, 'blocked multi-shard command failed'));
  }

  /** Tells thread `thread` that a watch of its client saw data (from a shard-side re-run). */
  notifyCrossReady(thread: number, clientId: number): void {
    if (thread === this.self) setImmediate(() => this.crossReady(clientId));
    else this.sendRecord(thread, Kind.Exec, 0, 2, [XREADY, Buffer.from(String(clientId))], 0);
  }

  /** Runs a command on every thread without freezing anyone (route 'threads'). */
  private async fanout(cmd: Command, client: Client, argv: Buffer[]): Promise<void> {
    const muted = client.repliesMuted;
    try {
      const reply = (await this.runSplit(cmd, client, argv))!; // no onBlock: never null
      if (!muted) client.reply.raw(reply);
    } finally {
      client.flags &= ~ClientFlag.Waiting;
      client.resume();
    }
  }

  /** Splits a command per shard, runs the parts and merges the replies. */
  /**
   * Splits a command per shard, runs the parts and merges the replies. With `onBlock` (a client's
   * own command, not one inside EXEC) a coordinator may block on keys of several shards: then
   * onBlock gets where and the result is null.
   */
  private async runSplit(cmd: Command, client: Client, argv: Buffer[], onBlock?: (request: CrossBlockRequest) => void): Promise<Buffer | null> {
    if (cmd.coordinate) {
      const reply = new ReplyWriter(256);
      reply.proto = client.proto;
      let blocked = false;
      const tx: ShardTx = {
        shardCount: this.count,
        dbIndex: client.dbIndex,
        client,
        canBlock: onBlock !== undefined,
        shardOf: (key) => shardOfKey(key, this.count),
        exec: (s, sub) => this.execOn(s, client, sub),
        run: async (sub) => (await this.runCommand(this.dispatcher.lookupChecked(sub)!, client, sub))!,
        lookup: (sub) => this.dispatcher.lookupChecked(sub),
        runNow: (cmd, sub, db, proto) => this.runNow(client, cmd, sub, db, proto),
        broadcast: (sub) => this.broadcast(sub),
        blockOn: async (keys, timeoutMs) => {
          const byShard = new Map<number, Buffer[]>();
          for (const key of keys) {
            const s = shardOfKey(key, this.count);
            byShard.set(s, [...(byShard.get(s) ?? [XWATCH, Buffer.from(String(this.self))]), key]);
          }
          await Promise.all([...byShard].map(([s, sub]) => this.execOn(s, client, sub)));
          blocked = true;
          onBlock!({ shards: [...byShard.keys()], timeoutMs });
        },
      };
      await cmd.coordinate(tx, argv, reply);
      return blocked ? null : reply.take();
    }
    if (cmd.route === 'all' || cmd.route === 'threads') {
      const replies = await Promise.all(range(this.count).map((s) => this.execOn(s, client, argv)));
      return mergeReplies(cmd, replies, null);
    }
    const split = this.splitByShard(cmd, argv);
    if (Buffer.isBuffer(split)) return split;
    if (split.single >= 0) return this.execOn(split.single, client, argv);
    const replies = await Promise.all(split.shards.map((s, i) => this.execOn(s, client, split.parts[i])));
    return mergeReplies(cmd, replies, cmd.merge === 'keyorder' ? split : null);
  }

  /**
   * The per-shard parts of a command whose keys span shards: shards in order, each one's argv,
   * and the shard of each key in key order. `single` >= 0 when the argv can't be split (a key
   * without all its arguments) and runs whole on that shard; an error reply when the command
   * has no way to merge.
   */
  private splitByShard(cmd: Command, argv: Buffer[]): { shards: number[]; parts: Buffer[][]; order: number[]; single: number } | Buffer {
    const [first, lastDecl, step] = cmd.keys;
    const last = lastDecl < 0 ? argv.length + lastDecl : lastDecl;
    const perShard: number[][] = range(this.count).map(() => []);
    const order: number[] = [];
    for (let i = first; i <= last && i < argv.length; i += step) {
      // A key without all its arguments (MSET k v k): not splittable; the handler replies the error.
      if (i + step > argv.length) return { shards: [], parts: [], order: [], single: shardOfKey(argv[first], this.count) };
      const s = shardOfKey(argv[i], this.count);
      perShard[s].push(i);
      order.push(s);
    }
    if (!cmd.merge) return crossSlotError(cmd);
    const shards = range(this.count).filter((s) => perShard[s].length > 0);
    const parts = shards.map((s) => {
      const sub: Buffer[] = argv.slice(0, first);
      for (const i of perShard[s]) for (let k = 0; k < step; k++) sub.push(argv[i + k]);
      for (let i = last + step; i < argv.length; i++) sub.push(argv[i]);
      return sub;
    });
    return { shards, parts, order, single: -1 };
  }

  // ---- synchronous steps (scripts) -----------------------------------------------------
  //
  // A script runs to its end without yielding, so its commands can't wait for promises. While
  // this thread coordinates, every peer serves only its ring from us: a request is sent, the
  // doorbell rung at once, and this thread sleeps in Atomics.wait until the reply is in.

  /** Runs a whole command now, routed as usual, in database `db` with replies in `proto`. */
  private runNow(client: Client, cmd: Command, argv: Buffer[], db: number, proto: Protocol): Buffer | null {
    const target = this.targetOf(cmd, argv);
    if (target >= 0) return this.execNow(target, client, cmd, argv, db, proto);
    if (cmd.coordinate) return null; // the script yields; its coordinator runs it with tx.run
    if (cmd.route === 'all' || cmd.route === 'threads') return mergeReplies(cmd, range(this.count).map((s) => this.execNow(s, client, cmd, argv, db, proto)), null);
    const split = this.splitByShard(cmd, argv);
    if (Buffer.isBuffer(split)) return split;
    if (split.single >= 0) return this.execNow(split.single, client, cmd, argv, db, proto);
    return mergeReplies(cmd, split.shards.map((s, i) => this.execNow(s, client, cmd, split.parts[i], db, proto)), cmd.merge === 'keyorder' ? split : null);
  }

  private execNow(s: number, client: Client, cmd: Command, argv: Buffer[], db: number, proto: Protocol): Buffer {
    if (s === this.self) {
      this.dispatcher.inScript = true;
      try {
        return this.executeHere(cmd, db, proto, argv, client);
      } finally {
        this.dispatcher.inScript = false;
      }
    }
    this.nowReply = null;
    const out = this.requestOut[s]!;
    this.sendRecord(s, Kind.ScriptStep, db, proto, argv, client.id, this.takeNowReply);
    for (;;) {
      this.ringDoorbells();
      const seen = Atomics.load(this.control, this.self);
      this.replyIn[s]!.drain((record) => this.onReply(s, record));
      if (this.nowReply !== null) return this.nowReply;
      out.retry(); // a record too big for the ring waits in the backlog
      Atomics.wait(this.control, this.self, seen, 50);
    }
  }

  private nowReply: Buffer | null = null;
  private readonly takeNowReply = (reply: Buffer): void => {
    this.nowReply = Buffer.from(reply);
  };

  /** Runs argv on shard s (while frozen), resolving with its encoded reply. */
  private execOn(s: number, client: Client, argv: Buffer[]): Promise<Buffer> {
    if (s !== this.self) return this.request(s, Kind.Step, client.dbIndex, requestProto(client), argv, client.id);
    return Promise.resolve(this.executeHere(this.dispatcher.lookupChecked(argv)!, client.dbIndex, client.proto, argv, client));
  }

  /** Runs a coordinator step on this shard (never blocking). */
  private executeHere(cmd: Command, db: number, proto: Protocol, argv: Buffer[], client: Client | null): Buffer {
    this.scratch.reset();
    this.scratch.proto = proto;
    this.dispatcher.runOn(cmd, db, this.scratch, client, argv, false, client?.id ?? 0);
    return this.scratch.take();
  }

  private async acquireGlobalLock(): Promise<void> {
    for (;;) {
      if (Atomics.compareExchange(this.control, this.lockIndex, 0, this.self + 1) === 0) return;
      const owner = Atomics.load(this.control, this.lockIndex);
      if (owner !== 0) {
        const w = Atomics.waitAsync(this.control, this.lockIndex, owner);
        if (w.async) await w.value;
      }
    }
  }

  private releaseGlobalLock(): void {
    Atomics.store(this.control, this.lockIndex, 0);
    Atomics.notify(this.control, this.lockIndex);
  }

  // ---- sending ------------------------------------------------------------

  private request(to: number, kind: Kind, db: number, proto: Protocol, argv: Buffer[], clientId = 0): Promise<Buffer> {
    return new Promise((resolve) => this.sendRecord(to, kind, db, proto, argv, clientId, resolve));
  }

  private sendExec(to: number, db: number, proto: Protocol, argv: Buffer[], pending: PendingReply): number {
    return this.sendRecord(to, Kind.Exec, db, proto, argv, pending.client.id, pending);
  }

  /**
   * Runs argv on every other thread without waiting for replies (cleanups such as UNWATCH,
   * messages such as keyspace notifications). Each peer runs them in the order sent.
   */
  broadcast(argv: Buffer[], clientId = 0, dbIndex = 0): void {
    for (let s = 0; s < this.count; s++) if (s !== this.self) this.sendRecord(s, Kind.Exec, dbIndex, 2, argv, clientId);
  }

  /** Runs argv on thread `to` without waiting for its reply (messages to one thread: invalidations). */
  send(to: number, argv: Buffer[]): void {
    this.sendRecord(to, Kind.Exec, 0, 2, argv, 0);
  }

  /** Tells a peer that the client of a blocked request went away. */
  cancelRemoteBlock(client: Client): void {
    this.endCrossBlock(client.id, false);
    const rb = client.remoteBlock;
    if (rb === null) return;
    client.remoteBlock = null;
    this.sendRecord(rb.peer, Kind.Unblock, 0, 2, [], client.id, undefined, rb.requestId);
  }

  /**
   * Encodes [kind u8][proto u8][db u16][id u32][client id u32][argc u32]([len u32][bytes])* and
   * queues it for peer `to`; returns the request id (Unblock carries the id of the request it
   * cancels). Without a waiter, the reply is dropped.
   */
  private sendRecord(to: number, kind: Kind, db: number, proto: Protocol, argv: Buffer[], clientId: number, waiter?: Waiter, id = this.nextRequestId++): number {
    const e = this.encoder;
    e.reset();
    let size = 16;
    for (const a of argv) size += 4 + a.length;
    e.ensure(size);
    const b = e.buf;
    b[0] = kind;
    b[1] = proto;
    b.writeUInt16LE(db, 2);
    b.writeUInt32LE(id, 4);
    b.writeUInt32LE(clientId, 8);
    b.writeUInt32LE(argv.length, 12);
    let p = 16;
    for (const a of argv) {
      b.writeUInt32LE(a.length, p);
      b.set(a, p + 4);
      p += 4 + a.length;
    }
    e.len = p;
    if (waiter !== undefined) this.waiting[to].set(id, waiter);
    this.post(this.requestOut[to]!, to, e.view());
    return id;
  }

  private post(out: Outbox, to: number, record: Buffer): void {
    // The outbox copies what fits now; its backlog keeps its own copy of the rest.
    if (!out.send(record) && !this.backlogTimer) {
      this.backlogTimer = setTimeout(() => this.retryBacklogs(), 1);
    }
    this.dirtyPeers |= 1 << to;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.ringDoorbells());
    }
  }

  private retryBacklogs(): void {
    this.backlogTimer = null;
    let done = true;
    for (let s = 0; s < this.count; s++) {
      if (s === this.self) continue;
      if (!this.requestOut[s]!.retry()) done = false;
      if (!this.replyOut[s]!.retry()) done = false;
      this.dirtyPeers |= 1 << s;
    }
    this.ringDoorbells();
    if (!done) this.backlogTimer = setTimeout(() => this.retryBacklogs(), 1);
  }

  private ringDoorbells(): void {
    this.flushScheduled = false;
    for (let s = 0; s < this.count; s++) {
      if (this.dirtyPeers & (1 << s)) {
        Atomics.add(this.control, s, 1);
        Atomics.notify(this.control, s);
      }
    }
    this.dirtyPeers = 0;
  }

  // ---- receiving ----------------------------------------------------------

  private listen(): void {
    const seen = Atomics.load(this.control, this.self);
    this.drainAll();
    const w = Atomics.waitAsync(this.control, this.self, seen);
    if (w.async) w.value.then(() => this.listen());
    else setImmediate(() => this.listen());
  }

  private readonly touched = new Set<Client>();

  private drainAll(): void {
    for (let s = 0; s < this.count; s++) {
      if (s === this.self) continue;
      this.replyIn[s]!.drain((reply) => this.onReply(s, reply));
    }
    for (let s = 0; s < this.count; s++) {
      if (s === this.self) continue;
      // Frozen by a coordinator: serve only its ring. Coordinating: serve no one (our shard is in use).
      if (this.coordinating || (this.lockedBy !== -1 && this.lockedBy !== s)) continue;
      this.requestIn[s]!.drain((req) => this.onRequest(s, req));
    }
    // A script turned busy while clients waited here for the shards it froze: they get BUSY now.
    while (this.parked.length > 0 && this.scriptBusyElsewhere) {
      const c = this.parked.shift()!;
      if (!(c.flags & ClientFlag.Closed)) c.resume();
    }
    for (const c of this.touched) {
      if (c.inflight === 0 && (c.deferred !== null || !(c.flags & ClientFlag.Waiting)) && !this.frozen) c.resume();
      else c.flush();
    }
    this.touched.clear();
  }

  private onReply(from: number, record: Buffer): void {
    const id = record.readUInt32LE(0);
    const waiter = this.waiting[from].get(id);
    if (waiter === undefined) return; // a fire-and-forget request (broadcast)
    this.waiting[from].delete(id);
    const reply = record.subarray(4);
    if (typeof waiter === 'function') {
      waiter(reply);
      return;
    }
    const client = waiter.client;
    client.inflight--;
    if (client.remoteBlock !== null && client.remoteBlock.requestId === id) {
      client.remoteBlock = null;
      client.flags &= ~ClientFlag.Waiting;
    }
    if (client.flags & ClientFlag.Closed) return;
    waiter.bytes = reply;
    this.releaseReplies(client);
    this.touched.add(client);
  }

  private onRequest(from: number, req: Buffer): void {
    const kind = req[0] as Kind;
    const proto = protocolOf(req[1]);
    const db = req.readUInt16LE(2);
    const id = req.readUInt32LE(4);
    if (kind === Kind.Lock) {
      this.lockedBy = from;
      this.replyTo(from, id, EMPTY);
      return;
    }
    if (kind === Kind.Unlock) {
      this.lockedBy = -1;
      setImmediate(() => this.unfreeze());
      return;
    }
    if (kind === Kind.Unblock) {
      this.dispatcher.shard.blocking.cancelRequest(from, id);
      return;
    }
    const clientId = req.readUInt32LE(8);
    const argc = req.readUInt32LE(12);
    const argv: Buffer[] = new Array(argc);
    let p = 16;
    for (let i = 0; i < argc; i++) {
      const len = req.readUInt32LE(p);
      argv[i] = req.subarray(p + 4, p + 4 + len);
      p += 4 + len;
    }
    const cmd = this.dispatcher.lookupChecked(argv)!;
    this.scratch.reset();
    this.scratch.proto = proto;
    this.dispatcher.peerOrigin = { kind: 'peer', peer: from, requestId: id, proto };
    // Client-side caching: the keys this read returns are remembered for the client of thread `from`.
    if (req[1] & TRACKED_READ) this.dispatcher.tracking.peerReader = from;
    this.dispatcher.inScript = kind === Kind.ScriptStep;
    const blocked = this.dispatcher.runOn(cmd, db, this.scratch, null, argv, kind === Kind.Exec, clientId);
    this.dispatcher.inScript = false;
    this.dispatcher.peerOrigin = null;
    if (!blocked) this.replyTo(from, id, this.scratch.view());
  }

  /** Sends the reply to request `id` of peer `to`: [id u32][encoded reply]. */
  replyTo(to: number, id: number, reply: Uint8Array): void {
    const record = Buffer.allocUnsafe(4 + reply.length);
    record.writeUInt32LE(id, 0);
    record.set(reply, 4);
    this.post(this.replyOut[to]!, to, record);
  }
}

const EMPTY = Buffer.alloc(0);
/** Bit of the busy-script control word: the script wrote, so SCRIPT KILL can't stop it. */
const SCRIPT_WROTE = 1 << 16;
/** Bit of the busy-script control word: the script is a function (BUSY replies name FUNCTION KILL). */
const SCRIPT_FUNCTION = 1 << 17;
const BUSY_FUNCTION_BYTES = 64 * 1024;

/** A function running past busy-reply-threshold, as FUNCTION STATS reports it. */
export interface BusyFunction {
  name: string;
  argv: Buffer[];
  /** Date.now() when it started. */
  startedAt: number;
}
const XWATCH = Buffer.from('_xwatch');
const XUNWATCH = Buffer.from('_xunwatch');
const XREADY = Buffer.from('_xready');

/** Where a coordinated command blocked: the shards holding its watches, and its timeout. */
interface CrossBlockRequest {
  shards: number[];
  timeoutMs: number;
}

function crossSlotError(cmd: Command): Buffer {
  return Buffer.from(`-CROSSSLOT Keys in request don't hash to the same slot (use {hash tags} with --threads > 1 for ${cmd.fullName.toUpperCase()})\r\n`);
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** Folds one more key's shard into the target: -1 none yet, -2 several. */
function mergeTarget(target: number, shard: number): number {
  if (target === -1 || target === shard) return shard;
  return -2;
}

/** Combines per-shard replies as the command's merge rule says. */
function mergeReplies(cmd: Command, replies: Buffer[], keyOrder: { order: number[]; shards: number[] } | null): Buffer {
  const err = replies.find(isError);
  if (err) return err;
  switch (cmd.merge) {
    case 'sum':
      return Buffer.from(`:${replies.reduce((n, r) => n + integerOf(r), 0)}\r\n`);
    case 'ok':
      return replies[0];
    case 'concat': {
      let n = 0;
      const bodies: Buffer[] = [];
      for (const r of replies) {
        const { length, start } = arrayHeader(r);
        n += length;
        bodies.push(r.subarray(start));
      }
      return Buffer.concat([Buffer.from(`${String.fromCharCode(replies[0][0])}${n}\r\n`), ...bodies]);
    }
    case 'keyorder': {
      const elements = new Map<number, Buffer[]>();
      keyOrder!.shards.forEach((s, i) => elements.set(s, arrayElements(replies[i])));
      const cursor = new Map<number, number>();
      const out: Buffer[] = [Buffer.from(`*${keyOrder!.order.length}\r\n`)];
      for (const s of keyOrder!.order) {
        const k = cursor.get(s) ?? 0;
        out.push(elements.get(s)![k]);
        cursor.set(s, k + 1);
      }
      return Buffer.concat(out);
    }
    default:
      return replies[0];
  }
}
