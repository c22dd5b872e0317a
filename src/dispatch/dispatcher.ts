// Per-thread command dispatch: look the command up, check it as Redis's
// processCommand does, then run it on the shard that owns its keys: inline
// when that is this thread's shard, through a hop otherwise.

import type { Logger } from 'pino';
import type { BlockOptions, Command, ExecContext } from './command';
import { CommandTable, keyPositions } from './registry';
import type { Shard } from '../shard/shard';
import type { Client } from '../net/client';
import { ClientFlag, ReplyMode } from '../net/client';
import { allFamilies } from '../commands';
import { config } from '../config';
import type { ShardLinks } from './links';
import { ReplyWriter } from '../protocol/reply';
import type { BlockOrigin, BlockedCall, TimeoutReply } from './blocking';
import { busyText, scriptEngine, scriptHooks } from '../scripting/engine';
import { isMainThread } from 'node:worker_threads';
import { Tracking } from '../tracking/tracking';

export class Dispatcher {
  readonly table = new CommandTable(allFamilies);
  readonly clients = new Map<number, Client>();
  /** Reused for every local execution, so running a command allocates no context. */
  private readonly ctx: ExecContext;
  /** Set while a command runs, for handlers that change connection state. */
  startTime = Date.now();
  stats = { commands: 0, connections: 0, rejectedConnections: 0, errorReplies: 0 };
  /** True while a script's command runs here (SORT then orders what it would leave unordered). */
  inScript = false;
  /** Client-side caching: this shard's tracking table and this thread's tracking clients. */
  readonly tracking: Tracking;

  constructor(
    readonly shard: Shard,
    readonly threadCount: number,
    readonly log: Logger,
    readonly links: ShardLinks | null,
  ) {
    shard.pubsub.links = links;
    this.tracking = new Tracking(this);
    scriptHooks.busy = (callerId) => this.serveWhileBusy(callerId);
    scriptHooks.ended = () => links?.clearScriptBusy();
    scriptHooks.log = (level, message) => this.log[SCRIPT_LOG_LEVELS[level]]({ script: true }, message);
    this.ctx = {
      shard, db: shard.dbs[0], dbIndex: 0, reply: null!, now: 0, client: null, clientId: 0, dispatcher: this, canBlock: false, rerun: false,
      block: (keys, timeoutMs, timeoutReply, options) => this.block(keys, timeoutMs, timeoutReply, options),
      signalReady: (key) => shard.blocking.signal(this.ctx.dbIndex, key),
    };
  }

  addClient(client: Client): void {
    this.clients.set(client.id, client);
    this.stats.connections++;
  }

  clientClosed(client: Client): void {
    this.clients.delete(client.id);
    this.shard.blocking.cancelClient(client);
    this.unwatchEverywhere(client);
    this.shard.pubsub.dropClient(client);
    this.links?.cancelRemoteBlock(client);
    this.tracking.disable(client);
  }

  /** The command (or subcommand) an already-checked argv names. */
  lookupChecked(argv: Buffer[]): Command | undefined {
    const cmd = this.table.lookup(argv[0]);
    if (cmd === undefined || cmd.subcommandMap === null || argv.length < 2) return cmd;
    return cmd.subcommandMap.get(argv[1].latin1Slice(0, argv[1].length).toLowerCase());
  }

  /** A script ran past busy-reply-threshold: answer every other client now (other threads: see links). */
  serveWhileBusy(scriptCallerId: number): void {
    const engine = scriptEngine();
    if (this.links !== null) {
      const run = engine.current;
      this.links.markScriptBusy(engine.wrote, run?.fcall === undefined ? null : { name: run.name, argv: run.fcall, startedAt: Date.now() - engine.elapsedMs });
      if (this.links.takeScriptKill()) engine.killRequested = true;
    }
    for (const client of this.clients.values()) if (client.id !== scriptCallerId) client.pollWhileBusy();
  }

  /** A command that arrived while a script is busy: allow-busy commands run, the rest get BUSY. */
  executeWhileBusy(client: Client, argv: Buffer[]): void {
    const cmd = this.lookupChecked(argv);
    const engine = scriptEngine();
    const busy = busyText(engine.busy ? engine.current?.fcall !== undefined : (this.links?.functionBusyElsewhere ?? null) !== null);
    if (cmd === undefined || !cmd.flags.includes('allow_busy') || ((cmd.arity > 0 && cmd.arity !== argv.length) || argv.length < -cmd.arity)) {
      this.rejectBusy(client, cmd, busy);
    } else if (cmd.fullName === 'shutdown') {
      // The event loop is stuck in the script, so a signal would never be handled: go now.
      if (!argv.some((a) => a.latin1Slice(0, a.length).toLowerCase() === 'nosave')) {
        this.rejectBusy(client, cmd, busy);
        return;
      }
      this.log.warn('SHUTDOWN NOSAVE while a script is busy: exiting');
      this.log.flush();
      // A worker's process.exit would end only its thread; the busy thread may be the main one.
      if (isMainThread) process.exit(0);
      else process.kill(process.pid, 'SIGKILL');
    } else {
      this.runLocal(cmd, client, argv);
    }
  }

  /** BUSY for a command: inside MULTI it dooms the transaction, and a refused EXEC ends it (Redis's rejectCommand). */
  private rejectBusy(client: Client, cmd: Command | undefined, busy: string): void {
    if (client.multi !== null && cmd?.fullName === 'exec') {
      client.multi = null;
      this.unwatchEverywhere(client);
      this.reject(client, `EXECABORT Transaction discarded because of: ${busy}`);
    } else {
      this.rejectInTx(client, busy);
    }
  }

  /** Runs one parsed command for a client; its reply goes to client.reply. */
  execute(client: Client, argv: Buffer[]): void {
    // A script busy on another thread holds every shard: answer as Redis does (BUSY), even
    // inside MULTI, where the command would otherwise be queued.
    if (this.links !== null && this.links.scriptBusyElsewhere) {
      this.executeWhileBusy(client, argv);
      return;
    }
    let cmd = this.table.lookup(argv[0]);
    if (cmd !== undefined && cmd.internal) cmd = undefined;
    if (cmd !== undefined && cmd.subcommandMap !== null && argv.length >= 2) {
      const sub = cmd.subcommandMap.get(argv[1].latin1Slice(0, argv[1].length).toLowerCase());
      if (sub === undefined) {
        this.rejectInTx(client, `ERR unknown subcommand '${clip(argv[1])}'. Try ${argv[0].toString('latin1').toUpperCase()} HELP.`);
        return;
      }
      cmd = sub;
    }
    if (cmd === undefined) {
      this.rejectInTx(client, unknownCommandError(argv));
      return;
    }
    if ((cmd.arity > 0 && cmd.arity !== argv.length) || argv.length < -cmd.arity) {
      this.rejectInTx(client, `ERR wrong number of arguments for '${cmd.fullName}' command`);
      return;
    }
    if (!client.authenticated && !cmd.flags.includes('no_auth')) {
      this.rejectInTx(client, 'NOAUTH Authentication required.');
      return;
    }
    if (client.subscriptionCount > 0 && client.proto === 2 && !SUBSCRIBED_MODE.has(cmd.fullName)) {
      this.rejectInTx(client, `ERR Can't execute '${cmd.fullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`);
      return;
    }
    if (client.multi !== null) {
      if (cmd.flags.includes('no_multi')) {
        this.rejectInTx(client, 'ERR Command not allowed inside a transaction');
        return;
      }
      if (!TX_CONTROL.has(cmd.fullName)) {
        // argv are views into socket memory: the queue keeps copies.
        client.multi.commands.push(argv.map((a) => Buffer.from(a)));
        client.reply.raw(QUEUED);
        return;
      }
      if (cmd.fullName === 'watch') {
        this.reject(client, 'ERR WATCH inside MULTI is not allowed');
        return;
      }
    } else if (cmd.fullName === 'watch') {
      client.watching = true;
    }
    client.lastCommand = cmd.fullName;
    this.stats.commands++;
    const start = performance.now();
    // Even connection-local commands go through the links on a multi-shard server, so they
    // wait behind the client's commands still in flight to other shards.
    if (this.threadCount === 1) {
      this.runLocal(cmd, client, argv);
    } else {
      this.links!.route(cmd, client, argv);
    }
    cmd.stats.calls++;
    cmd.stats.usec += (performance.now() - start) * 1000;
  }

  /** Runs a command on this thread's shard, replying to the client. */
  runLocal(cmd: Command, client: Client, argv: Buffer[]): void {
    this.runOn(cmd, client.dbIndex, client.reply, client, argv, true, client.id);
  }

  /** The remote request being run, while a peer's command runs here (for blocking). */
  peerOrigin: (BlockOrigin & { kind: 'peer' }) | null = null;
  private currentArgv: Buffer[] = [];
  /** Set by block() during a run: the command replied nothing and waits. */
  private blockedNow = false;
  /** True while a blocked call is re-run: block() then only reports "still no data". */
  private rerunning = false;
  private readonly rerunReply = new ReplyWriter(1024);

  /**
   * Runs a command's handler on this thread's shard with an explicit database and reply
   * buffer. Returns true when the command blocked (it replied nothing yet).
   */
  runOn(cmd: Command, dbIndex: number, reply: ReplyWriter, client: Client | null, argv: Buffer[], canBlock: boolean, clientId: number): boolean {
    const ctx = this.ctx;
    ctx.db = this.shard.dbs[dbIndex];
    ctx.dbIndex = dbIndex;
    ctx.reply = reply;
    ctx.now = Date.now();
    ctx.client = client;
    ctx.clientId = clientId;
    ctx.canBlock = canBlock;
    this.currentArgv = argv;
    this.blockedNow = false;
    const mark = reply.len;
    this.tracking.enter(cmd, client, clientId, this.runDepth);
    this.runDepth++;
    try {
      cmd.handler!(ctx, argv);
    } finally {
      this.runDepth--;
    }
    ctx.client = null;
    const wrote = cmd.isWrite && reply.len > mark && reply.buf[mark] !== 0x2d;
    if (wrote) {
      // A successful write touches the keys that clients may WATCH, or wait on with wakeOnWrite.
      if (!this.shard.watches.empty) this.touchWatched(cmd, dbIndex, argv);
      if (this.shard.blocking.hasWriteWatchers) this.signalWrite(cmd, dbIndex, argv);
    }
    // Client-side caching: invalidate what the write changed, remember what a tracking client read.
    this.tracking.afterRun(argv, wrote, this.runDepth);
    const blocked = this.blockedNow;
    this.serveBlocked();
    return blocked;
  }

  /**
   * Re-runs blocked calls whose keys became ready. Not inside EXEC (its commands are one unit)
   * nor while the shard is frozen for a multi-shard command: those serve them when they end.
   */
  serveBlocked(): void {
    if (this.runDepth === 0 && this.links?.frozen !== true && this.shard.blocking.hasReady) this.shard.blocking.serveReady((call) => this.rerun(call));
  }

  /** Nesting of runOn (EXEC runs its queued commands through it). */
  private runDepth = 0;

  private touchWatched(cmd: Command, dbIndex: number, argv: Buffer[]): void {
    for (const i of keyPositions(cmd, argv)) this.shard.watches.touch(dbIndex, argv[i]);
  }

  private signalWrite(cmd: Command, dbIndex: number, argv: Buffer[]): void {
    const positions = keyPositions(cmd, argv);
    if (positions.length === 0) this.shard.blocking.signalWriteEverywhere();
    for (const i of positions) this.shard.blocking.signalWrite(dbIndex, argv[i]);
  }

  private block(keys: Buffer[], timeoutMs: number, timeoutReply: TimeoutReply, options?: BlockOptions): void {
    this.blockedNow = true;
    if (this.rerunning) return;
    const ctx = this.ctx;
    const origin: BlockOrigin = ctx.client !== null ? { kind: 'client', client: ctx.client } : this.peerOrigin!;
    if (ctx.client !== null) ctx.client.flags |= ClientFlag.Waiting;
    const argv = options?.rerunArgv ?? this.currentArgv;
    this.shard.blocking.add(argv, ctx.clientId, ctx.dbIndex, keys, timeoutMs, timeoutReply, origin, (call) => this.deliverTimeout(call, null), options?.wakeOnWrite === true);
  }

  /** Ends a blocked call with its timeout reply, or with an error (CLIENT UNBLOCK ... ERROR). */
  private deliverTimeout(call: BlockedCall, error: string | null): void {
    const r = this.rerunReply;
    r.reset();
    r.proto = protoOf(call.origin);
    if (error !== null) r.error(error);
    else if (call.timeoutReply === 'nil') r.nil();
    else r.nilArray();
    this.deliver(call, r.view());
  }

  /** CLIENT UNBLOCK on this shard: true when the client was blocked here and has been released. */
  unblockClient(clientId: number, withError: boolean): boolean {
    const call = this.shard.blocking.takeByClientId(clientId);
    if (call === null) return false;
    this.deliverTimeout(call, withError ? 'UNBLOCKED client unblocked via CLIENT UNBLOCK' : null);
    return true;
  }

  /** Runs a blocked call again; true when it was served (and its reply delivered). */
  private rerun(call: BlockedCall): boolean {
    if (call.origin.kind === 'watch') {
      // A client blocked on several shards: its thread coordinates the command again, while the
      // watch keeps its place (blocking.unwatch hands the turn on).
      if (!call.notified) {
        call.notified = true;
        this.links!.notifyCrossReady(call.origin.thread, call.clientId);
      }
      return false;
    }
    const cmd = this.lookupChecked(call.argv)!;
    const ctx = this.ctx;
    const r = this.rerunReply;
    r.reset();
    r.proto = protoOf(call.origin);
    ctx.db = this.shard.dbs[call.dbIndex];
    ctx.dbIndex = call.dbIndex;
    ctx.reply = r;
    ctx.now = Date.now();
    ctx.client = call.origin.kind === 'client' ? call.origin.client : null;
    ctx.clientId = call.origin.kind === 'client' ? call.origin.client.id : 0;
    ctx.canBlock = true;
    this.blockedNow = false;
    this.rerunning = true;
    ctx.rerun = true;
    this.tracking.enter(cmd, null, call.clientId, 0);
    try {
      cmd.handler!(ctx, call.argv);
    } finally {
      this.rerunning = false;
      ctx.rerun = false;
      ctx.client = null;
    }
    this.tracking.afterRun(call.argv, cmd.isWrite && !this.blockedNow && r.len > 0 && r.buf[0] !== 0x2d, 0);
    if (this.blockedNow) return false;
    if (cmd.isWrite && !this.shard.watches.empty) this.touchWatched(cmd, call.dbIndex, call.argv);
    this.deliver(call, r.view());
    return true;
  }

  /** Hands a blocked call's reply to its client, here or on another thread. */
  private deliver(call: BlockedCall, reply: Uint8Array): void {
    const origin = call.origin;
    if (origin.kind === 'peer') {
      this.links!.replyTo(origin.peer, origin.requestId, reply);
      return;
    }
    if (origin.kind === 'watch') return; // watches never reply: their thread does
    const client = origin.client;
    if (client.flags & ClientFlag.Closed) return;
    // As in Redis, CLIENT REPLY SKIP was spent when the command blocked; OFF still holds.
    if (!client.repliesMuted) client.reply.raw(reply);
    client.flags &= ~ClientFlag.Waiting;
    // Resume after the current command finishes, so replies keep their order.
    setImmediate(() => client.resume());
  }

  private reject(client: Client, message: string): void {
    this.stats.errorReplies++;
    client.reply.error(message);
  }

  /** Rejects a command; inside MULTI this also dooms the transaction (EXECABORT). */
  private rejectInTx(client: Client, message: string): void {
    if (client.multi !== null) client.multi.aborted = true;
    this.reject(client, message);
  }

  /** Drops a client's WATCHes on every shard. */
  unwatchEverywhere(client: Client): void {
    if (!client.watching) return;
    client.watching = false;
    this.shard.watches.unwatchAll(client.id);
    this.links?.broadcast([UNWATCH], client.id);
  }

  /** Drops per-connection state kept outside the client (transactions, watches, subscriptions) on RESET. */
  resetClientState(client: Client): void {
    client.multi = null;
    // CLIENT REPLY OFF and a pending SKIP end; a SKIP already in force still skips RESET's own reply.
    if (client.replyMode !== ReplyMode.Skip) client.replyMode = ReplyMode.On;
    this.unwatchEverywhere(client);
    this.shard.pubsub.dropClient(client);
    this.tracking.disable(client);
  }

  /** Closes every client (shutdown). */
  closeAll(): void {
    for (const c of this.clients.values()) {
      c.flags |= ClientFlag.CloseAfterReply;
      c.close();
    }
  }

  configChanged(): void {
    const maxBulk = config.numeric('proto-max-bulk-len');
    for (const c of this.clients.values()) c.parser.limits.maxBulkLen = maxBulk;
    this.tracking.configChanged();
  }
}

/** The protocol a blocked call's reply is encoded in. */
function protoOf(origin: BlockOrigin): 2 | 3 {
  if (origin.kind === 'client') return origin.client.proto;
  return origin.kind === 'peer' ? origin.proto : 2;
}

/** Commands that act on the transaction itself instead of being queued by MULTI. */
const TX_CONTROL = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);
/** What a RESP2 client may run while subscribed. */
const SUBSCRIBED_MODE = new Set(['subscribe', 'ssubscribe', 'psubscribe', 'unsubscribe', 'sunsubscribe', 'punsubscribe', 'ping', 'quit', 'reset']);
/** pino levels of redis.log's LOG_DEBUG, LOG_VERBOSE, LOG_NOTICE, LOG_WARNING. */
const SCRIPT_LOG_LEVELS = ['debug', 'debug', 'info', 'warn'] as const;
const QUEUED = Buffer.from('+QUEUED\r\n');
const UNWATCH = Buffer.from('unwatch');

/** argv[i] as Redis prints it in errors: at most 128 bytes, CR/LF turned into spaces. */
function clip(arg: Buffer, max = 128): string {
  return arg.toString('latin1', 0, Math.min(arg.length, max));
}

function unknownCommandError(argv: Buffer[]): string {
  let args = '';
  for (let i = 1; i < argv.length && args.length < 128; i++) args += `'${clip(argv[i], 128 - args.length)}' `;
  return `ERR unknown command '${clip(argv[0])}', with args beginning with: ${args}`;
}
