// Client-side caching (Redis tracking.c) on one thread. It plays two parts:
//
// - for the thread's shard: the tracking table (which clients read which keys),
//   the BCAST prefixes of every thread's clients with the keys changed this
//   turn, and the invalidation of keys that are written, expire or are evicted
//   from the table. A reader on another thread is told with an internal
//   command (_tracking-invalidate); BCAST keys are sent to the threads
//   listening to their prefix once per event-loop turn (_tracking-bcast), as
//   Redis does in beforeSleep;
// - for the thread's clients: their tracking modes (Client.tracking), and the
//   delivery of invalidations as RESP3 pushes, or as Pub/Sub messages on
//   __redis__:invalidate to a RESP2 redirect client, forwarded to the
//   redirect client's thread when it lives elsewhere (_tracking-redirect).
//
// A read is remembered on the shard that ran it: a client's request to another
// shard carries a flag saying its reads are tracked (TRACKED_READ). The read
// steps of a command coordinated across shards count as reads of that client
// (SUNION's set fetches, as in Redis; COPY's too, which costs at most a spare
// invalidation).
//
// Ordering follows Redis: an invalidation for the client whose command is
// running is written after that command's reply (Redis's
// tracking_pending_keys), and one never overtakes a reply of an earlier command
// still on its way from another shard.

import type { Command } from '../dispatch/command';
import type { Dispatcher } from '../dispatch/dispatcher';
import { keyPositions } from '../dispatch/registry';
import { ClientFlag, type Client } from '../net/client';
import { config } from '../config';
import { ClientTracking, TrackingFlag } from './client-state';
import { ReaderTable, clientOfReader, readerRef, threadOfReader } from './table';

const word = (s: string) => Buffer.from(s, 'latin1');

/** RESP3 push header of an invalidation; the keys array (or a null) follows. */
const INVALIDATE_PUSH = word('>2\r\n$10\r\ninvalidate\r\n');
/** The same for a RESP2 redirect client in Pub/Sub mode: a message on __redis__:invalidate. */
const INVALIDATE_MESSAGE = word('*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n');
const REDIRECT_BROKEN_PUSH = word('>2\r\n$21\r\ntracking-redir-broken\r\n');
/** "Every key" after a flush: a null of the tracking client's protocol (by protocol number). */
const ALL_KEYS: Record<2 | 3, Buffer> = { 2: word('$-1\r\n'), 3: word('_\r\n') };
const EMPTY_PREFIX = Buffer.alloc(0);

export const INVALIDATE_COMMAND = word('_tracking-invalidate');
export const BROADCAST_COMMAND = word('_tracking-bcast');
export const REDIRECT_COMMAND = word('_tracking-redirect');
export const BROKEN_COMMAND = word('_tracking-broken');
export const PREFIX_COMMAND = word('_tracking-prefix');
export const PREFIX_ADD = word('add');
const PREFIX_DEL = word('del');

/** A script's own keys are remembered only when it ran a read command (Redis's call()). */
const SCRIPT_COMMANDS = new Set(['eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro']);
/** The internal read a coordinated script makes of its declared keys after it read something: remembered. */
export const SCRIPT_KEYS_COMMAND = '_scriptkeys';
/** Pause between eviction passes while the table is still over tracking-table-max-keys (Redis: cron). */
const EVICTION_RETRY_MS = 100;

/** A BCAST prefix on the shard: the threads with clients listening to it, and the keys changed this turn with who changed them last. */
interface BroadcastPrefix {
  bytes: Buffer;
  threads: number[];
  modified: Map<string, number>;
}

function latin1(bytes: Buffer): string {
  return bytes.latin1Slice(0, bytes.length);
}

/** The array of key names an invalidation carries. */
function keysPayload(keys: readonly Uint8Array[]): Buffer {
  let size = 3 + String(keys.length).length;
  for (const k of keys) size += 5 + String(k.length).length + k.length;
  const out = Buffer.allocUnsafe(size);
  let at = out.latin1Write(`*${keys.length}\r\n`, 0);
  for (const k of keys) {
    at += out.latin1Write(`$${k.length}\r\n`, at);
    out.set(k, at);
    at += k.length;
    at += out.latin1Write('\r\n', at);
  }
  return out;
}

export function idArg(id: number): Buffer {
  return word(String(id));
}

export function idOf(arg: Buffer): number {
  return Number(arg.latin1Slice(0, arg.length));
}

export class Tracking {
  private readonly self: number;
  /** Keys of this thread's shard that tracking clients read. */
  private readonly readers = new ReaderTable();
  /** BCAST prefixes of every thread's clients, by latin1 prefix (the same on every shard). */
  private readonly prefixes = new Map<string, BroadcastPrefix>();
  /** This thread's BCAST clients, by latin1 prefix. */
  private readonly prefixClients = new Map<string, Set<Client>>();
  /** This thread's clients with tracking on (INFO tracking_clients). */
  clientCount = 0;
  /**
   * Set by the links just before a peer's request runs here: the thread of the client whose
   * reads must be remembered, or -1.
   */
  peerReader = -1;
  /** Per nesting level of runOn in progress (EXEC, scripts): its client, command, and reader thread or -1. */
  private readonly frameClients: number[] = [];
  private readonly frameCommands: Command[] = [];
  private readonly frameReaders: number[] = [];
  private depth = 0;
  /** A script running for a tracking client called a read command. */
  private scriptRead = false;
  /** This shard's part of tracking-table-max-keys. */
  private maxKeys: number;
  private evictionRounds = 0;
  private evictionTimer: NodeJS.Timeout | null = null;
  private broadcastScheduled = false;
  /** Clients that got invalidations this turn and need a socket write. */
  private readonly unflushed = new Set<Client>();
  private flushScheduled = false;

  constructor(private readonly dispatcher: Dispatcher) {
    this.self = dispatcher.shard.index;
    this.maxKeys = this.shareOfMaxKeys();
    for (const db of dispatcher.shard.dbs) db.onExpireInvalidate = this.keyExpired;
  }

  // ---- statistics (INFO) ------------------------------------------------------

  get keyCount(): number {
    return this.readers.keyCount;
  }

  get itemCount(): number {
    return this.readers.items;
  }

  /** Distinct BCAST prefixes of the server: every shard knows them all, shard 0 counts them. */
  get prefixCount(): number {
    return this.self === 0 ? this.prefixes.size : 0;
  }

  // ---- dispatcher hooks ---------------------------------------------------------

  /** Id of the client whose command runs on this thread now (0 between commands). */
  private get running(): number {
    return this.depth > 0 ? this.frameClients[this.depth - 1] : 0;
  }

  /** Before a handler runs at nesting `depth` of runOn (client is null for a peer's request). */
  enter(cmd: Command, client: Client | null, clientId: number, depth: number): void {
    this.frameClients[depth] = clientId;
    this.frameCommands[depth] = cmd;
    let reader = client === null ? this.peerReader : client.tracking !== null && client.tracking.remembersKeys ? this.self : -1;
    // A command of a script coordinated across shards (its EVAL has no frame here): not remembered,
    // Redis remembers the script's declared keys instead (SCRIPT_KEYS_COMMAND does that here).
    if (reader >= 0 && client !== null && SCRIPT_COMMANDS.has(client.lastCommand) && !SCRIPT_COMMANDS.has(cmd.name) && cmd.name !== SCRIPT_KEYS_COMMAND && !this.insideScript(depth)) reader = -1;
    this.frameReaders[depth] = reader;
    this.peerReader = -1;
    this.depth = depth + 1;
  }

  /** After the handler of enter(): invalidates what a successful write changed, remembers what was read. */
  afterRun(argv: Buffer[], wrote: boolean, depth: number): void {
    const cmd = this.frameCommands[depth];
    const clientId = this.frameClients[depth];
    const reader = this.frameReaders[depth];
    if (wrote) this.written(cmd, argv, clientId);
    if (this.scriptRead && SCRIPT_COMMANDS.has(cmd.name)) {
      // Redis remembers the keys a script declared when it ran a read command, not what it read.
      this.scriptRead = false;
      if (reader >= 0) this.remember(cmd, argv, clientId, reader);
    } else if (reader >= 0 && cmd.flags.includes('readonly') && !SCRIPT_COMMANDS.has(cmd.name)) {
      if (this.insideScript(depth)) this.scriptRead = true;
      else this.remember(cmd, argv, clientId, reader);
    }
    this.depth = depth;
  }

  /** CONFIG SET ran: tracking-table-max-keys may have changed. */
  configChanged(): void {
    this.maxKeys = this.shareOfMaxKeys();
    this.enforceLimit();
  }

  private insideScript(depth: number): boolean {
    for (let i = 0; i < depth; i++) if (SCRIPT_COMMANDS.has(this.frameCommands[i].name)) return true;
    return false;
  }

  // ---- the shard's table ----------------------------------------------------------

  private remember(cmd: Command, argv: Buffer[], clientId: number, thread: number): void {
    const ref = readerRef(clientId, thread);
    for (const i of keyPositions(cmd, argv)) this.readers.add(latin1(argv[i]), ref);
    if (this.readers.keyCount > this.maxKeys) this.enforceLimit();
  }

  private written(cmd: Command, argv: Buffer[], clientId: number): void {
    // A write that names no keys changed them all (FLUSHALL, FLUSHDB, SWAPDB).
    if (cmd.keys[0] <= 0 && cmd.keyFinder === undefined) {
      this.invalidateAll();
      return;
    }
    if (this.readers.keyCount === 0 && this.prefixes.size === 0) return;
    for (const i of keyPositions(cmd, argv)) this.invalidateKey(argv[i], clientId, clientId);
  }

  /** Keyspace hook: expired keys invalidate like written ones, changed by nobody (Redis: c = NULL). */
  private readonly keyExpired = (key: Buffer): void => {
    if (this.readers.keyCount > 0 || this.prefixes.size > 0) this.invalidateKey(key, this.running, 0);
  };

  /**
   * Redis's trackingInvalidateKey: tells the clients that read `key` (except a NOLOOP client
   * whose own command, `current`, changed it) and forgets them. `modifier` is who changed the
   * key, for BCAST, or -1 when the key did not change (evicted from the table).
   */
  private invalidateKey(key: Buffer, current: number, modifier: number): void {
    const name = latin1(key);
    if (modifier >= 0 && this.prefixes.size > 0) this.noteForBroadcast(name, modifier);
    const readers = this.readers.take(name);
    if (readers === undefined) return;
    if (typeof readers === 'number') this.tellReader(readers, key, current);
    else for (const ref of readers) this.tellReader(ref, key, current);
  }

  private tellReader(ref: number, key: Buffer, current: number): void {
    const thread = threadOfReader(ref);
    const id = clientOfReader(ref);
    if (thread === this.self) this.invalidateFor(id, keysPayload([key]), current);
    else this.dispatcher.links!.send(thread, [INVALIDATE_COMMAND, idArg(current), idArg(id), key]);
  }

  /** FLUSHALL/FLUSHDB: every tracking client of this thread is told that all keys changed. */
  private invalidateAll(): void {
    this.readers.clear();
    if (this.clientCount === 0) return;
    for (const c of this.dispatcher.clients.values()) if (c.tracking !== null) this.send(c, ALL_KEYS[c.proto], 0);
  }

  private shareOfMaxKeys(): number {
    const max = config.numeric('tracking-table-max-keys');
    if (max === 0) return Infinity;
    const threads = this.dispatcher.threadCount;
    return Math.floor(max / threads) + (this.self < max % threads ? 1 : 0);
  }

  /**
   * Redis's trackingLimitUsedSlots: over the limit, the keys read longest ago are dropped and
   * their readers told, at most 100 more keys per pass while the table stays over it.
   */
  private readonly enforceLimit = (): void => {
    if (this.evictionTimer !== null) {
      clearTimeout(this.evictionTimer);
      this.evictionTimer = null;
    }
    for (let effort = 100 * (this.evictionRounds + 1); effort > 0 && this.readers.keyCount > this.maxKeys; effort--) {
      this.invalidateKey(Buffer.from(this.readers.oldest()!, 'latin1'), 0, -1);
    }
    if (this.readers.keyCount <= this.maxKeys) {
      this.evictionRounds = 0;
      return;
    }
    this.evictionRounds++;
    this.evictionTimer = setTimeout(this.enforceLimit, EVICTION_RETRY_MS);
  };

  // ---- BCAST ------------------------------------------------------------------------

  private noteForBroadcast(name: string, modifier: number): void {
    for (const [prefix, state] of this.prefixes) {
      if (!name.startsWith(prefix)) continue;
      state.modified.set(name, modifier);
      if (!this.broadcastScheduled) {
        this.broadcastScheduled = true;
        setImmediate(this.flushBroadcasts);
      }
    }
  }

  /** Sends each prefix's changed keys, sorted as Redis's radix tree lists them, to the threads listening. */
  private readonly flushBroadcasts = (): void => {
    // A multi-shard command (EXEC) is one unit: its keys go out together once it is over.
    if (this.dispatcher.links?.frozen) {
      setTimeout(this.flushBroadcasts, 1);
      return;
    }
    this.broadcastScheduled = false;
    const changed = [...this.prefixes.keys()].filter((p) => this.prefixes.get(p)!.modified.size > 0).sort();
    for (const prefix of changed) {
      const state = this.prefixes.get(prefix)!;
      const names = [...state.modified.keys()].sort();
      const keys = names.map((n) => Buffer.from(n, 'latin1'));
      const modifiers = new Uint32Array(names.map((n) => state.modified.get(n)!));
      state.modified.clear();
      for (const thread of state.threads) {
        if (thread === this.self) this.broadcastHere(prefix, keys, modifiers);
        else this.dispatcher.links!.send(thread, [BROADCAST_COMMAND, state.bytes, Buffer.from(modifiers.buffer), ...keys]);
      }
    }
  };

  /** Redis's trackingBroadcastInvalidationMessages for one prefix, to this thread's clients. */
  private broadcastHere(prefix: string, keys: Buffer[], modifiers: Uint32Array): void {
    const clients = this.prefixClients.get(prefix);
    if (clients === undefined) return;
    let common: Buffer | null = null;
    for (const c of clients) {
      if (c.tracking!.flags & TrackingFlag.NoLoop) {
        const others = keys.filter((_, i) => modifiers[i] !== c.id);
        if (others.length > 0) this.send(c, keysPayload(others), 0);
      } else {
        this.send(c, (common ??= keysPayload(keys)), 0);
      }
    }
  }

  /** A thread's clients listen to a prefix (add) or no longer do: every shard keeps the list. */
  prefixThread(add: boolean, thread: number, prefix: Buffer): void {
    const name = latin1(prefix);
    let state = this.prefixes.get(name);
    if (add) {
      if (state === undefined) {
        state = { bytes: Buffer.from(prefix), threads: [], modified: new Map() };
        this.prefixes.set(name, state);
      }
      if (!state.threads.includes(thread)) state.threads.push(thread);
    } else if (state !== undefined) {
      state.threads = state.threads.filter((t) => t !== thread);
      if (state.threads.length === 0) this.prefixes.delete(name);
    }
  }

  // ---- this thread's clients ------------------------------------------------------

  /**
   * CLIENT TRACKING ON (Redis's enableTracking), options already checked. Returns the prefixes
   * this thread listens to for the first time: the other shards must be told (_tracking-prefix add).
   */
  enable(client: Client, options: number, redirect: number, redirectThread: number, prefixes: readonly Buffer[]): Buffer[] {
    let state = client.tracking;
    if (state === null) {
      state = client.tracking = new ClientTracking();
      this.clientCount++;
    }
    state.flags = (state.flags & TrackingFlag.Caching) | options;
    state.redirect = redirect;
    state.redirectThread = redirectThread;
    const fresh: Buffer[] = [];
    if (!(options & TrackingFlag.Bcast)) return fresh;
    for (const prefix of prefixes.length > 0 ? prefixes : [EMPTY_PREFIX]) {
      const name = latin1(prefix);
      if (state.prefixes.has(name)) continue;
      const bytes = Buffer.from(prefix);
      state.prefixes.set(name, bytes);
      let clients = this.prefixClients.get(name);
      if (clients === undefined) {
        clients = new Set();
        this.prefixClients.set(name, clients);
        this.prefixThread(true, this.self, bytes);
        fresh.push(bytes);
      }
      clients.add(client);
    }
    return fresh;
  }

  /** CLIENT TRACKING OFF, RESET, disconnection (Redis's disableTracking). Its entries in the tables go lazily. */
  disable(client: Client): void {
    const state = client.tracking;
    if (state === null) return;
    client.tracking = null;
    this.clientCount--;
    const unused: Buffer[] = [];
    for (const [name, bytes] of state.prefixes) {
      const clients = this.prefixClients.get(name)!;
      clients.delete(client);
      if (clients.size > 0) continue;
      this.prefixClients.delete(name);
      this.prefixThread(false, this.self, bytes);
      unused.push(bytes);
    }
    if (unused.length > 0) this.dispatcher.links?.broadcast([PREFIX_COMMAND, PREFIX_DEL, idArg(this.self), ...unused]);
  }

  /** A client of this thread, unless it is gone or going. */
  liveClient(id: number): Client | null {
    const c = this.dispatcher.clients.get(id);
    return c !== undefined && !(c.flags & ClientFlag.Closed) ? c : null;
  }

  /** Key `key` read by client `id` of this thread changed (or was evicted); `current` ran the change. */
  invalidated(id: number, key: Buffer, current: number): void {
    this.invalidateFor(id, keysPayload([key]), current);
  }

  /** Keys of a BCAST prefix changed on another shard. */
  broadcastReceived(prefix: Buffer, modifiers: Buffer, keys: Buffer[]): void {
    const ids = new Uint32Array(keys.length);
    for (let i = 0; i < keys.length; i++) ids[i] = modifiers.readUInt32LE(i * 4);
    this.broadcastHere(latin1(prefix), keys, ids);
  }

  /** An invalidation redirected to client `redirect` of this thread, or reports it gone to the tracking client's thread. */
  redirected(redirect: number, trackerId: number, trackerThread: number, payload: Buffer): void {
    const target = this.liveClient(redirect);
    if (target !== null) this.deliverRedirected(target, payload, 0);
    else this.dispatcher.links!.send(trackerThread, [BROKEN_COMMAND, idArg(trackerId), idArg(redirect)]);
  }

  /** The redirect client of client `trackerId` of this thread is gone. */
  redirectGone(trackerId: number, redirect: number): void {
    const tracker = this.liveClient(trackerId);
    if (tracker !== null && tracker.tracking?.redirect === redirect) this.redirectBroken(tracker);
  }

  private invalidateFor(id: number, payload: Buffer, current: number): void {
    const client = this.liveClient(id);
    const state = client?.tracking;
    // A client in BCAST mode gets no messages for keys it read before switching to it.
    if (state === undefined || state === null || state.flags & TrackingFlag.Bcast) return;
    if (state.flags & TrackingFlag.NoLoop && id === current) return;
    this.send(client!, payload, current);
  }

  /** Redis's sendTrackingMessage: to the client itself (RESP3 only) or to its redirect client. */
  private send(tracker: Client, payload: Buffer, current: number): void {
    const state = tracker.tracking!;
    if (state.redirect === 0) {
      // RESP2 has no pushes on the same connection: nothing is sent.
      if (tracker.proto === 3) this.deliver(tracker, INVALIDATE_PUSH, payload, current);
    } else if (state.redirectThread !== this.self) {
      this.dispatcher.links!.send(state.redirectThread, [REDIRECT_COMMAND, idArg(state.redirect), idArg(tracker.id), idArg(this.self), payload]);
    } else {
      const target = this.liveClient(state.redirect);
      if (target === null) this.redirectBroken(tracker);
      else this.deliverRedirected(target, payload, current);
    }
  }

  private deliverRedirected(target: Client, payload: Buffer, current: number): void {
    if (target.proto === 3) this.deliver(target, INVALIDATE_PUSH, payload, current);
    else if (target.subscriptionCount > 0) this.deliver(target, INVALIDATE_MESSAGE, payload, current);
  }

  private redirectBroken(tracker: Client): void {
    const state = tracker.tracking!;
    state.flags |= TrackingFlag.BrokenRedirect;
    if (tracker.proto === 3) this.deliver(tracker, REDIRECT_BROKEN_PUSH, word(`:${state.redirect}\r\n`), 0);
  }

  private deliver(recipient: Client, head: Buffer, body: Buffer, current: number): void {
    if (recipient.flags & ClientFlag.Closed) return;
    const bytes = Buffer.concat([head, body]);
    // Its command is running: the message goes after the reply (and after a whole EXEC).
    if (recipient.id === this.running) (recipient.heldInvalidations ??= []).push(bytes);
    else this.write(recipient, bytes, current);
  }

  /** Writes the invalidations held while the client's own command ran (its reply is out now). */
  releaseHeld(client: Client): void {
    const held = client.heldInvalidations!;
    client.heldInvalidations = null;
    for (const bytes of held) this.write(client, bytes, client.id);
  }

  /**
   * A push never overtakes replies of the client's earlier commands still coming from other
   * shards: the client would cache a value older than the invalidation. Only a client blocked
   * on another shard gets other clients' invalidations at once, as in Redis.
   */
  private write(recipient: Client, bytes: Buffer, current: number): void {
    const queue = recipient.pendingReplies;
    if (queue !== null && queue.length > 0 && (recipient.remoteBlock === null || recipient.id === current)) {
      queue.push({ bytes, muted: false });
      return;
    }
    recipient.pushReply.raw(bytes);
    this.unflushed.add(recipient);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushClients);
    }
  }

  private readonly flushClients = (): void => {
    this.flushScheduled = false;
    for (const c of this.unflushed) c.flush();
    this.unflushed.clear();
  };
}
