// FUNCTION and FCALL / FCALL_RO (Redis 7.0 functions.c). The libraries live in
// src/scripting/functions.ts, one registry per thread: a command that changes this thread's
// libraries sends the change to the other threads with an internal command, so a function
// loaded through any connection can be called through every other.
//
// FCALL runs like EVAL (src/commands/scripting.ts): inline on a one-thread server, otherwise
// coordinated by the client's thread with every shard frozen.

import { command, type CommandDecl, type ExecContext, type ShardTx } from '../dispatch/command';
import type { ReplyWriter } from '../protocol/reply';
import type { BusyFunction } from '../dispatch/links';
import { globMatch } from '../util/glob';
import { isKeyword } from '../util/keyword';
import { parseSafeInteger } from '../util/number';
import { busyText, scriptEngine, SCRIPT_FLAG_NAMES, type ScriptCaller } from '../scripting/engine';
import { functionRegistry, LOAD_TIMEOUT_MS, type LibraryFunction, type RestorePolicy } from '../scripting/functions';
import { FrozenShardsCaller, finishedHere, killScript, localCallerFor, numkeysKeys, NUMKEYS_NEGATIVE, NUMKEYS_TOO_MANY, runToEnd } from './scripting';
import { replyHelp, subcommandSyntaxError } from './server/help';


// ---- FCALL --------------------------------------------------------------------

interface FunctionCall {
  fn: LibraryFunction;
  keys: Buffer[];
  args: Buffer[];
}

/** Finds FCALL's function and splits keys from args; replies the error and returns null when wrong. */
function prepareCall(reply: ReplyWriter, argv: Buffer[], readOnly: boolean): FunctionCall | null {
  const fn = functionRegistry().lookup(argv[1]);
  if (fn === undefined) {
    reply.error('ERR Function not found');
    return null;
  }
  const parsed = parseSafeInteger(argv[2]);
  if (parsed === null) {
    reply.error('ERR Bad number of keys provided');
    return null;
  }
  // Beyond 2^53 only the sign matters.
  const numKeys = parsed ?? (argv[2][0] === 0x2d ? -1 : Infinity);
  if (numKeys > argv.length - 3) {
    reply.error(NUMKEYS_TOO_MANY);
    return null;
  }
  if (numKeys < 0) {
    reply.error(NUMKEYS_NEGATIVE);
    return null;
  }
  if (readOnly && !fn.flags.noWrites) {
    reply.error('ERR Can not execute a script with write flag using *_ro command.');
    return null;
  }
  return { fn, keys: argv.slice(3, 3 + numKeys), args: argv.slice(3 + numKeys) };
}

/** Starts a function; false when it waits for a coordinator (see runToEnd). */
function runCall(call: FunctionCall, caller: ScriptCaller, dbIndex: number, readOnlyCommand: boolean, callerId: number, argv: Buffer[], reply: ReplyWriter): boolean {
  const { fn } = call;
  const readOnly = readOnlyCommand || fn.flags.noWrites;
  return scriptEngine().runFunction(fn.ref, call.keys, call.args, { caller, dbIndex, readOnly, name: fn.name, callerId, fcall: argv }, reply);
}

/** FCALL on the shard itself (one thread; or inside EXEC there). */
function fcallHere(ctx: ExecContext, argv: Buffer[], readOnly: boolean): void {
  const call = prepareCall(ctx.reply, argv, readOnly);
  if (call === null) return;
  const caller = localCallerFor(ctx);
  finishedHere(runCall(call, caller, ctx.dbIndex, readOnly, ctx.clientId, argv, ctx.reply));
  caller.client = null;
}

/** FCALL coordinated on a multi-shard server: every shard is frozen for the function. */
async function fcallAcross(tx: ShardTx, argv: Buffer[], reply: ReplyWriter, readOnly: boolean): Promise<void> {
  const call = prepareCall(reply, argv, readOnly);
  if (call !== null) await runToEnd(tx, runCall(call, new FrozenShardsCaller(tx), tx.dbIndex, readOnly, tx.client.id, argv, reply), call.keys);
}

// ---- FUNCTION -------------------------------------------------------------------

function functionLoad(ctx: ExecContext, argv: Buffer[]): void {
  let replace = false;
  let i = 2;
  for (; i < argv.length - 1; i++) {
    if (!isKeyword(argv[i], 'REPLACE')) return ctx.reply.error(`ERR Unknown option given: ${argv[i].latin1Slice(0, argv[i].length)}`);
    replace = true;
  }
  const library = functionRegistry().load(argv[i], replace, LOAD_TIMEOUT_MS);
  if (typeof library === 'string') return ctx.reply.error(library);
  ctx.reply.bulkString(library.name);
}

function functionDelete(ctx: ExecContext, argv: Buffer[]): void {
  if (!functionRegistry().delete(argv[2])) return ctx.reply.error('ERR Library not found');
  ctx.reply.ok();
}

function functionFlush(ctx: ExecContext, argv: Buffer[]): void {
  if (argv.length > 3) return ctx.reply.error(subcommandSyntaxError('FUNCTION', argv[1]));
  if (argv.length === 3 && !isKeyword(argv[2], 'SYNC') && !isKeyword(argv[2], 'ASYNC')) return ctx.reply.error('ERR FUNCTION FLUSH only supports SYNC|ASYNC option');
  functionRegistry().flush();
  ctx.reply.ok();
}

const RESTORE_POLICIES: ReadonlyArray<readonly [keyword: string, policy: RestorePolicy]> = [['APPEND', 'append'], ['REPLACE', 'replace'], ['FLUSH', 'flush']];

function functionRestore(ctx: ExecContext, argv: Buffer[]): void {
  if (argv.length > 4) return ctx.reply.error(subcommandSyntaxError('FUNCTION', argv[1]));
  const policy = argv.length === 4 ? RESTORE_POLICIES.find(([keyword]) => isKeyword(argv[3], keyword))?.[1] : 'append';
  if (policy === undefined) return ctx.reply.error('ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.');
  const registry = functionRegistry();
  const error = registry.restore(argv[2], policy);
  if (error !== null) return ctx.reply.error(error);
  ctx.reply.ok();
}

function functionList(ctx: ExecContext, argv: Buffer[]): void {
  const r = ctx.reply;
  let withCode = false;
  let pattern: Buffer | null = null;
  for (let i = 2; i < argv.length; i++) {
    if (!withCode && isKeyword(argv[i], 'WITHCODE')) {
      withCode = true;
    } else if (pattern === null && isKeyword(argv[i], 'LIBRARYNAME')) {
      if (i === argv.length - 1) return r.error('ERR library name argument was not given');
      pattern = argv[++i];
    } else {
      return r.error(`ERR Unknown argument ${argv[i].latin1Slice(0, argv[i].length)}`);
    }
  }
  const libraries = [...functionRegistry().libraries.values()].filter((library) => pattern === null || globMatch(pattern, Buffer.from(library.name, 'latin1'), true));
  r.array(libraries.length);
  for (const library of libraries) {
    r.map(withCode ? 4 : 3);
    r.bulkString('library_name');
    r.bulkString(library.name);
    r.bulkString('engine');
    r.bulkString('LUA');
    r.bulkString('functions');
    r.array(library.functions.length);
    for (const fn of library.functions) {
      r.map(3);
      r.bulkString('name');
      r.bulkString(fn.name);
      r.bulkString('description');
      if (fn.description === null) r.nil();
      else r.bulk(fn.description);
      r.bulkString('flags');
      const flags = SCRIPT_FLAG_NAMES.filter(([, flag]) => fn.flags[flag]);
      r.set(flags.length);
      for (const [name] of flags) r.simple(name);
    }
    if (withCode) {
      r.bulkString('library_code');
      r.bulk(library.code);
    }
  }
}

/** The function running past busy-reply-threshold, on this thread or another; 'eval' for a script. */
function busyFunction(ctx: ExecContext): BusyFunction | 'eval' | null {
  const engine = scriptEngine();
  const run = engine.current;
  if (run !== null) return run.fcall === undefined ? 'eval' : { name: run.name, argv: run.fcall, startedAt: Date.now() - engine.elapsedMs };
  const links = ctx.dispatcher.links;
  return links === null || !links.scriptBusyElsewhere ? null : links.functionBusyElsewhere ?? 'eval';
}

function functionStats(ctx: ExecContext): void {
  const r = ctx.reply;
  const running = busyFunction(ctx);
  if (running === 'eval') return r.error(busyText(false));
  r.map(2);
  r.bulkString('running_script');
  if (running === null) {
    r.nil();
  } else {
    r.map(3);
    r.bulkString('name');
    r.bulkString(running.name);
    r.bulkString('command');
    r.bulkArray(running.argv);
    r.bulkString('duration_ms');
    r.int(Date.now() - running.startedAt);
  }
  const registry = functionRegistry();
  r.bulkString('engines');
  r.map(1);
  r.bulkString('LUA');
  r.map(2);
  r.bulkString('libraries_count');
  r.int(registry.libraries.size);
  r.bulkString('functions_count');
  r.int(registry.functionCount);
}

const FUNCTION_HELP = [
  'LOAD [REPLACE] <FUNCTION CODE>',
  '    Create a new library with the given library name and code.',
  'DELETE <LIBRARY NAME>',
  '    Delete the given library.',
  'LIST [LIBRARYNAME PATTERN] [WITHCODE]',
  '    Return general information on all the libraries:',
  '    * Library name',
  '    * The engine used to run the Library',
  '    * Library description',
  '    * Functions list',
  '    * Library code (if WITHCODE is given)',
  '    It also possible to get only function that matches a pattern using LIBRARYNAME argument.',
  'STATS',
  '    Return information about the current function running:',
  '    * Function name',
  '    * Command used to run the function',
  '    * Duration in MS that the function is running',
  '    If no function is running, return nil',
  '    In addition, returns a list of available engines.',
  'KILL',
  '    Kill the current running function.',
  'FLUSH [ASYNC|SYNC]',
  '    Delete all the libraries.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the libraries.',
  '    * SYNC: Synchronously flush the libraries.',
  'DUMP',
  '    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command',
  'RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]',
  '    Restore the libraries represented by the given payload, it is possible to give a restore policy to',
  '    control how to handle existing libraries (default APPEND):',
  '    * FLUSH: delete all existing libraries.',
  '    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.',
  '    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old',
  '      libraries with the new libraries (notice that even on this option there is a chance of failure',
  '      in case of functions name collision with another library).',
];

// ---- declarations -----------------------------------------------------------

const FCALL_BASE = { arity: -3, keys: [0, 0, 0], acl: ['slow', 'scripting'], group: 'scripting', route: 'keys', keyFinder: numkeysKeys, readsUndeclaredKeys: () => true, since: '7.0.0', complexity: 'Depends on the function that is executed.' } as const;
const FCALL_FLAGS = ['noscript', 'stale', 'skip_monitor', 'no_mandatory_keys', 'movablekeys'] as const;
const FUNCTION_SUB = { keys: [0, 0, 0], group: 'scripting', since: '7.0.0', route: 'client' } as const;
const READ_SUB = { ...FUNCTION_SUB, acl: ['slow', 'scripting'] } as const;
// Every thread keeps its own registry: a change runs on all of them at once (all shards frozen),
// so no client on any thread sees the old libraries after the reply.
const WRITE_SUB = { ...FUNCTION_SUB, acl: ['write', 'slow', 'scripting'], tips: ['request_policy:all_shards', 'response_policy:all_succeeded'], route: 'all', merge: 'ok' } as const;

export const functionCommands: CommandDecl[] = [
  command({ name: 'fcall', ...FCALL_BASE, flags: FCALL_FLAGS, keySpecs: [{ notes: 'We cannot tell how the keys will be used so we assume the worst, RW and UPDATE', flags: ['RW', 'access', 'update'], begin: { index: 2 }, find: { keynumidx: 0, firstkey: 1, keystep: 1 } }], summary: 'Invoke a function', handler: (ctx, argv) => fcallHere(ctx, argv, false), coordinate: (tx, argv, reply) => fcallAcross(tx, argv, reply, false) }),
  command({ name: 'fcall_ro', ...FCALL_BASE, flags: ['readonly', ...FCALL_FLAGS], keySpecs: [{ notes: 'We cannot tell how the keys will be used so we assume the worst, RO and ACCESS', flags: ['RO', 'access'], begin: { index: 2 }, find: { keynumidx: 0, firstkey: 1, keystep: 1 } }], summary: 'Invoke a read-only function', handler: (ctx, argv) => fcallHere(ctx, argv, true), coordinate: (tx, argv, reply) => fcallAcross(tx, argv, reply, true) }),
  command({
    name: 'function', arity: -2, flags: [], keys: [0, 0, 0], acl: ['slow'], group: 'scripting', summary: 'A container for function commands', since: '7.0.0', complexity: 'Depends on subcommand.',
    subcommands: [
      command({ name: 'load', arity: -3, flags: ['write', 'denyoom', 'noscript'], ...WRITE_SUB, summary: 'Create a function with the given arguments (name, code, description)', complexity: 'O(1) (considering compilation time is redundant)', handler: functionLoad }),
      command({ name: 'delete', arity: 3, flags: ['write', 'noscript'], ...WRITE_SUB, summary: 'Delete a function by name', complexity: 'O(1)', handler: functionDelete }),
      command({ name: 'flush', arity: -2, flags: ['write', 'noscript'], ...WRITE_SUB, summary: 'Deleting all functions', complexity: 'O(N) where N is the number of functions deleted', handler: functionFlush }),
      command({ name: 'restore', arity: -3, flags: ['write', 'denyoom', 'noscript'], ...WRITE_SUB, summary: 'Restore all the functions on the given payload', complexity: 'O(N) where N is the number of functions on the payload', handler: functionRestore }),
      command({ name: 'list', arity: -2, flags: ['noscript'], ...READ_SUB, summary: 'List information about all the functions', complexity: 'O(N) where N is the number of functions', tips: ['nondeterministic_output_order'], handler: functionList }),
      command({ name: 'dump', arity: 2, flags: ['noscript'], ...READ_SUB, summary: 'Dump all functions into a serialized binary payload', complexity: 'O(N) where N is the number of functions', handler: (ctx) => ctx.reply.bulk(functionRegistry().dump()) }),
      command({ name: 'stats', arity: 2, flags: ['noscript', 'allow_busy'], ...READ_SUB, summary: 'Return information about the function currently running (name, description, duration)', complexity: 'O(1)', tips: ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'], handler: functionStats }),
      command({ name: 'kill', arity: 2, flags: ['noscript', 'allow_busy'], ...READ_SUB, summary: 'Kill the function currently in execution.', complexity: 'O(1)', tips: ['request_policy:all_shards', 'response_policy:one_succeeded'], handler: (ctx) => killScript(ctx, true) }),
      command({ name: 'help', arity: 2, flags: ['loading', 'stale'], ...READ_SUB, summary: 'Show helpful text about the different subcommands', complexity: 'O(1)', handler: (ctx) => replyHelp(ctx.reply, 'FUNCTION', FUNCTION_HELP) }),
    ],
  }),
  // What FUNCTION LOAD, DELETE, FLUSH and RESTORE did on another thread, done here too.
];
