// EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT (Redis eval.c). The Lua side lives in
// src/scripting; here: argument checks, the script cache commands, and where a script runs.
//
// One thread: a script runs inline on the shard. Several: the client's thread coordinates with
// every shard frozen (route via readsUndeclaredKeys), so keys a script did not declare are as
// safe as declared ones; its commands reach other shards through synchronous hops.

import { command, type CommandDecl, type ExecContext, type ShardTx } from '../dispatch/command';
import type { Command } from '../dispatch/command';
import type { Dispatcher } from '../dispatch/dispatcher';
import type { Client } from '../net/client';
import { ReplyWriter, type Protocol } from '../protocol/reply';
import { parseSafeInteger } from '../util/number';
import { busyText, scriptEngine, sha1hex, type CachedScript, type ScriptCaller, type ScriptEngine } from '../scripting/engine';
import { replyHelp } from './server/help';
import { SCRIPT_KEYS_COMMAND } from '../tracking/tracking';

export const NUMKEYS_NEGATIVE = "ERR Number of keys can't be negative";
export const NUMKEYS_TOO_MANY = "ERR Number of keys can't be greater than number of args";
const NOT_INTEGER = 'ERR value is not an integer or out of range';
const NOSCRIPT = 'NOSCRIPT No matching script. Please use EVAL.';
const UNKILLABLE = 'UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.';
const SCRIPT_KEYS = Buffer.from(SCRIPT_KEYS_COMMAND);
const SCRIPT_LOAD = Buffer.from('_scriptload');

/** Key positions of EVAL-style commands: numkeys at argv[2], keys after it. */
export function numkeysKeys(argv: Buffer[]): number[] {
  const n = argv.length > 2 ? parseSafeInteger(argv[2]) : null;
  if (typeof n !== 'number' || n <= 0 || n > argv.length - 3) return [];
  return Array.from({ length: n }, (_, i) => 3 + i);
}

/** Runs commands on this thread's shard (a one-thread server, or a script inside EXEC there). */
export class LocalCaller implements ScriptCaller {
  private readonly scratch = new ReplyWriter(1024);
  client: Client | null = null;
  clientId = 0;

  constructor(private readonly dispatcher: Dispatcher) {}

  lookup(argv: Buffer[]): Command | undefined {
    return this.dispatcher.lookupChecked(argv);
  }

  exec(cmd: Command, argv: Buffer[], dbIndex: number, proto: Protocol): Buffer {
    const r = this.scratch;
    r.reset();
    r.proto = proto;
    this.dispatcher.inScript = true;
    try {
      this.dispatcher.runOn(cmd, dbIndex, r, this.client, argv, false, this.clientId);
    } finally {
      this.dispatcher.inScript = false;
    }
    return r.view();
  }
}

/** Runs commands on any shard while a coordinator holds them all frozen. */
export class FrozenShardsCaller implements ScriptCaller {
  constructor(private readonly tx: ShardTx) {}

  lookup(argv: Buffer[]): Command | undefined {
    return this.tx.lookup(argv);
  }

  exec(cmd: Command, argv: Buffer[], dbIndex: number, proto: Protocol): Buffer | null {
    return this.tx.runNow(cmd, argv, dbIndex, proto);
  }
}

let localCaller: LocalCaller | null = null;

/** This thread's LocalCaller, acting for ctx's client until the script ends (then set its client to null). */
export function localCallerFor(ctx: ExecContext): LocalCaller {
  const caller = (localCaller ??= new LocalCaller(ctx.dispatcher));
  caller.client = ctx.client;
  caller.clientId = ctx.clientId;
  return caller;
}

interface Invocation {
  script: CachedScript;
  keys: Buffer[];
  args: Buffer[];
}

/**
 * Checks an EVAL-style argv and finds (or compiles) its script. Replies the error and returns
 * null when something is wrong.
 */
function prepare(engine: ScriptEngine, reply: ReplyWriter, argv: Buffer[], bySha: boolean, onNewScript: (body: Buffer) => void): Invocation | null {
  const numKeys = parseSafeInteger(argv[2]);
  if (typeof numKeys !== 'number') {
    reply.error(NOT_INTEGER);
    return null;
  }
  if (numKeys < 0) {
    reply.error(NUMKEYS_NEGATIVE);
    return null;
  }
  if (numKeys > argv.length - 3) {
    reply.error(NUMKEYS_TOO_MANY);
    return null;
  }
  let script: CachedScript | string | undefined;
  if (bySha) {
    script = argv[1].length === 40 ? engine.scripts.get(argv[1].latin1Slice(0, 40).toLowerCase()) : undefined;
    if (script === undefined) {
      reply.error(NOSCRIPT);
      return null;
    }
  } else {
    const sha = sha1hex(argv[1]);
    const known = engine.scripts.has(sha);
    script = engine.load(argv[1], sha);
    if (typeof script === 'string') {
      reply.error(script);
      return null;
    }
    if (!known) onNewScript(script.body);
  }
  return { script, keys: argv.slice(3, 3 + numKeys), args: argv.slice(3 + numKeys) };
}

/** Starts a script; false when it waits for engine.pendingCommand (see runToEnd). */
function runInvocation(engine: ScriptEngine, call: Invocation, caller: ScriptCaller, dbIndex: number, readOnlyCommand: boolean, callerId: number, reply: ReplyWriter): boolean {
  const flags = call.script.flags;
  if (readOnlyCommand && flags.declared && !flags.noWrites) {
    reply.error('ERR Can not execute a script with write flag using *_ro command.');
    return true;
  }
  const readOnly = readOnlyCommand || flags.noWrites;
  return engine.runScript(call.script, call.keys, call.args, { caller, dbIndex, readOnly, name: call.script.sha, callerId }, reply);
}

/** EVAL-family handler on the shard itself (one thread; or inside EXEC there). */
function evalHere(ctx: ExecContext, argv: Buffer[], bySha: boolean, readOnly: boolean): void {
  const engine = scriptEngine();
  const reply = ctx.reply;
  const dispatcher = ctx.dispatcher;
  const call = prepare(engine, reply, argv, bySha, (body) => dispatcher.links?.broadcast([SCRIPT_LOAD, body]));
  if (call === null) return;
  const caller = localCallerFor(ctx);
  finishedHere(runInvocation(engine, call, caller, ctx.dbIndex, readOnly, ctx.clientId, reply));
  caller.client = null;
}

/** EVAL-family coordinator on a multi-shard server: every shard is frozen for the script. */
async function evalAcross(tx: ShardTx, argv: Buffer[], reply: ReplyWriter, bySha: boolean, readOnly: boolean): Promise<void> {
  const engine = scriptEngine();
  const call = prepare(engine, reply, argv, bySha, (body) => tx.broadcast([SCRIPT_LOAD, body]));
  if (call !== null) await runToEnd(tx, runInvocation(engine, call, new FrozenShardsCaller(tx), tx.dbIndex, readOnly, tx.client.id, reply), call.keys);
}

/**
 * Drives a script on a multi-shard server to its end: a redis.call of a command only a
 * coordinator can run (keys on several shards) yields the script, the command runs as usual
 * (every shard still frozen) and the script resumes with its reply.
 */
export async function runToEnd(tx: ShardTx, finished: boolean, keys: Buffer[]): Promise<void> {
  const engine = scriptEngine();
  while (!finished) finished = engine.resume(await tx.run(engine.pendingCommand!));
  // Client-side caching: a script that read something makes its client track its declared keys
  // (as Redis does); a read of them on their shards, flagged for the client, remembers them there.
  if (engine.read && keys.length > 0 && tx.client.tracking?.remembersKeys) await tx.run([SCRIPT_KEYS, ...keys]);
}

/** A script on this thread's shard alone never waits: every command it calls runs inline. */
export function finishedHere(finished: boolean): void {
  if (!finished) throw new Error('a script on a single shard waited for a coordinator');
}

// ---- SCRIPT -------------------------------------------------------------------

function scriptLoad(ctx: ExecContext, argv: Buffer[]): void {
  const engine = scriptEngine();
  const sha = sha1hex(argv[2]);
  const script = engine.load(argv[2], sha);
  if (typeof script === 'string') {
    ctx.reply.error(script);
    return;
  }
  ctx.reply.bulkString(script.sha);
}

function scriptExists(ctx: ExecContext, argv: Buffer[]): void {
  const scripts = scriptEngine().scripts;
  ctx.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const sha = argv[i].length === 40 ? argv[i].latin1Slice(0, 40).toLowerCase() : '';
    ctx.reply.int(scripts.has(sha) ? 1 : 0);
  }
}

function scriptFlush(ctx: ExecContext, argv: Buffer[]): void {
  if (argv.length > 3 || (argv.length === 3 && !/^(a?sync)$/i.test(argv[2].latin1Slice(0, argv[2].length)))) {
    ctx.reply.error('ERR SCRIPT FLUSH only support SYNC|ASYNC option');
    return;
  }
  scriptEngine().flush();
  ctx.reply.ok();
}

/** SCRIPT KILL and FUNCTION KILL: each stops its own kind of script only (Redis's scriptKill). */
export function killScript(ctx: ExecContext, functionKill: boolean): void {
  const engine = scriptEngine();
  // A script busy on another thread is stopped through the shared control words.
  const elsewhere = engine.busy ? null : ctx.dispatcher.links?.killScriptElsewhere(functionKill) ?? 'notbusy';
  if (elsewhere === 'notbusy') ctx.reply.error('NOTBUSY No scripts in execution right now.');
  else if (elsewhere === 'unkillable' || (elsewhere === null && engine.wrote)) ctx.reply.error(UNKILLABLE);
  else if (elsewhere === 'killed') ctx.reply.ok();
  else if (elsewhere === 'otherkind' || (engine.current?.fcall !== undefined) !== functionKill) ctx.reply.error(busyText(!functionKill));
  else {
    engine.killRequested = true;
    ctx.reply.ok();
  }
}

function scriptDebug(ctx: ExecContext, argv: Buffer[]): void {
  const mode = argv[2].latin1Slice(0, argv[2].length).toLowerCase();
  if (mode === 'no') ctx.reply.ok();
  else if (mode === 'yes' || mode === 'sync') ctx.reply.error('ERR SCRIPT DEBUG (the Lua debugger) is not supported by this server');
  else ctx.reply.error('ERR Use SCRIPT DEBUG YES/SYNC/NO');
}

const SCRIPT_HELP = [
  'DEBUG (YES|SYNC|NO)',
  '    Set the debug mode for subsequent scripts executed.',
  'EXISTS <sha1> [<sha1> ...]',
  '    Return information about the existence of the scripts in the script cache.',
  'FLUSH [ASYNC|SYNC]',
  '    Flush the Lua scripts cache. Very dangerous on replicas.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the scripts cache.',
  '    * SYNC: Synchronously flush the scripts cache.',
  'KILL',
  '    Kill the currently executing Lua script.',
  'LOAD <script>',
  '    Load a script into the scripts cache without executing it.',
];

// ---- declarations -----------------------------------------------------------

const EVAL_FLAGS = ['noscript', 'stale', 'skip_monitor', 'no_mandatory_keys', 'movablekeys'] as const;
const RO_FLAGS = ['readonly', ...EVAL_FLAGS] as const;
const EVAL_BASE = { arity: -3, keys: [0, 0, 0], acl: ['slow', 'scripting'], group: 'scripting', route: 'keys', keyFinder: numkeysKeys, readsUndeclaredKeys: () => true } as const;
const RW_SPEC = [{ notes: 'We cannot tell how the keys will be used so we assume the worst, RW and UPDATE', flags: ['RW', 'access', 'update'], begin: { index: 2 }, find: { keynumidx: 0, firstkey: 1, keystep: 1 } }] as const;
const RO_SPEC = [{ notes: 'We cannot tell how the keys will be used so we assume the worst, RO and ACCESS', flags: ['RO', 'access'], begin: { index: 2 }, find: { keynumidx: 0, firstkey: 1, keystep: 1 } }] as const;
const SCRIPT_SUB = { keys: [0, 0, 0], acl: ['slow', 'scripting'], group: 'scripting' } as const;
const INTERNAL = { arity: -1, flags: [], keys: [0, 0, 0], acl: [], group: 'scripting', summary: '', since: '', internal: true } as const;

export const scriptingCommands: CommandDecl[] = [
  command({ name: 'eval', ...EVAL_BASE, flags: EVAL_FLAGS, keySpecs: RW_SPEC, summary: 'Execute a Lua script server side', since: '2.6.0', complexity: 'Depends on the script that is executed.', handler: (ctx, argv) => evalHere(ctx, argv, false, false), coordinate: (tx, argv, reply) => evalAcross(tx, argv, reply, false, false) }),
  command({ name: 'evalsha', ...EVAL_BASE, flags: EVAL_FLAGS, keySpecs: [{ ...RW_SPEC[0], notes: undefined }], summary: 'Execute a Lua script server side', since: '2.6.0', complexity: 'Depends on the script that is executed.', handler: (ctx, argv) => evalHere(ctx, argv, true, false), coordinate: (tx, argv, reply) => evalAcross(tx, argv, reply, true, false) }),
  command({ name: 'eval_ro', ...EVAL_BASE, flags: RO_FLAGS, keySpecs: RO_SPEC, summary: 'Execute a read-only Lua script server side', since: '7.0.0', complexity: 'Depends on the script that is executed.', handler: (ctx, argv) => evalHere(ctx, argv, false, true), coordinate: (tx, argv, reply) => evalAcross(tx, argv, reply, false, true) }),
  command({ name: 'evalsha_ro', ...EVAL_BASE, flags: RO_FLAGS, keySpecs: [{ ...RO_SPEC[0], notes: undefined }], summary: 'Execute a read-only Lua script server side', since: '7.0.0', complexity: 'Depends on the script that is executed.', handler: (ctx, argv) => evalHere(ctx, argv, true, true), coordinate: (tx, argv, reply) => evalAcross(tx, argv, reply, true, true) }),
  command({
    name: 'script', arity: -2, flags: [], ...SCRIPT_SUB, summary: 'A container for Lua scripts management commands', since: '2.6.0', complexity: 'Depends on subcommand.',
    subcommands: [
      // LOAD and FLUSH change every thread's script cache before replying (route 'all'), so an
      // EVALSHA from a client on another thread right after the reply finds the script.
      command({ name: 'load', arity: 3, flags: ['noscript', 'stale'], ...SCRIPT_SUB, route: 'all', summary: 'Load the specified Lua script into the script cache.', since: '2.6.0', complexity: 'O(N) with N being the length in bytes of the script body.', tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'], handler: scriptLoad }),
      command({ name: 'exists', arity: -3, flags: ['noscript'], ...SCRIPT_SUB, route: 'client', summary: 'Check existence of scripts in the script cache.', since: '2.6.0', complexity: 'O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation).', tips: ['request_policy:all_shards', 'response_policy:agg_logical_and'], handler: scriptExists }),
      command({ name: 'flush', arity: -2, flags: ['noscript'], ...SCRIPT_SUB, route: 'all', merge: 'ok', summary: 'Remove all the scripts from the script cache.', since: '2.6.0', complexity: 'O(N) with N being the number of scripts in cache', tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'], handler: scriptFlush }),
      command({ name: 'kill', arity: 2, flags: ['noscript', 'allow_busy'], ...SCRIPT_SUB, route: 'client', summary: 'Kill the script currently in execution.', since: '2.6.0', complexity: 'O(1)', tips: ['request_policy:all_shards', 'response_policy:one_succeeded'], handler: (ctx) => killScript(ctx, false) }),
      command({ name: 'debug', arity: 3, flags: ['noscript'], ...SCRIPT_SUB, route: 'client', summary: 'Set the debug mode for executed scripts.', since: '3.2.0', complexity: 'O(1)', handler: scriptDebug }),
      command({ name: 'help', arity: 2, flags: ['loading', 'stale'], ...SCRIPT_SUB, route: 'client', summary: 'Show helpful text about the different subcommands', since: '5.0.0', complexity: 'O(1)', handler: (ctx) => replyHelp(ctx.reply, 'SCRIPT', SCRIPT_HELP) }),
    ],
  }),
  // A read of a script's declared keys on their shards, so client-side caching remembers them for its client.
  command({ name: SCRIPT_KEYS_COMMAND, ...INTERNAL, arity: -2, flags: ['readonly'], keys: [1, -1, 1], merge: 'ok', handler: (ctx) => ctx.reply.ok() }),
  // A script another thread compiled for EVAL: cache it here too, for EVALSHA.
  command({ name: '_scriptload', ...INTERNAL, handler: (ctx, argv) => { scriptEngine().load(argv[1]); ctx.reply.ok(); } }),
];
