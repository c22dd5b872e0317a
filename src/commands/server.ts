// Server commands (Redis server.c, db.c, object.c, debug.c). CLIENT, COMMAND,
import { isKeyword } from '../util/keyword';
// CONFIG and INFO live in ./server/, exported here as one family.

import { command, type CommandDecl, type ExecContext } from '../dispatch/command';
import { ClientFlag } from '../net/client';
import { parseSafeInteger } from '../util/number';
import { DB_INDEX_OUT_OF_RANGE, NOT_INTEGER, SYNTAX } from './errors';
import { clientCommands } from './server/client';
import { commandCommand } from './server/command';
import { configCommands } from './server/config';
import { replyHelp, subcommandSyntaxError } from './server/help';
import { infoCommands, memoryDoctor, memoryStats, PROCESS_START_MS } from './server/info';

function dbsize(ctx: ExecContext): void {
  ctx.reply.int(ctx.db.size);
}

/** Checks FLUSHDB/FLUSHALL's optional ASYNC|SYNC (both flush at once here); replies the error and returns false if invalid. */
function flushModeValid(ctx: ExecContext, argv: Buffer[]): boolean {
  if (argv.length === 1 || (argv.length === 2 && (isKeyword(argv[1], 'ASYNC') || isKeyword(argv[1], 'SYNC')))) return true;
  ctx.reply.error(SYNTAX);
  return false;
}

function flushdb(ctx: ExecContext, argv: Buffer[]): void {
  if (!flushModeValid(ctx, argv)) return;
  ctx.shard.flushDb(ctx.dbIndex);
  ctx.reply.ok();
}

function flushall(ctx: ExecContext, argv: Buffer[]): void {
  if (!flushModeValid(ctx, argv)) return;
  ctx.shard.flushAll();
  ctx.reply.ok();
}

function swapdb(ctx: ExecContext, argv: Buffer[]): void {
  const a = parseSafeInteger(argv[1]);
  if (typeof a !== 'number' || a !== (a | 0)) {
    ctx.reply.error('ERR invalid first DB index');
    return;
  }
  const b = parseSafeInteger(argv[2]);
  if (typeof b !== 'number' || b !== (b | 0)) {
    ctx.reply.error('ERR invalid second DB index');
    return;
  }
  const count = ctx.shard.dbs.length;
  if (a < 0 || a >= count || b < 0 || b >= count) {
    ctx.reply.error(DB_INDEX_OUT_OF_RANGE);
    return;
  }
  ctx.shard.swapDb(a, b);
  ctx.reply.ok();
}

function time(ctx: ExecContext): void {
  const micros = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  ctx.reply.array(2);
  ctx.reply.bulkString(String(Math.floor(micros / 1e6)));
  ctx.reply.bulkString(String(micros % 1e6));
}

/** No persistence: the last save is the server start, as for a Redis that never saved. */
function lastsave(ctx: ExecContext): void {
  ctx.reply.int(Math.floor(PROCESS_START_MS / 1000));
}

/** MEMORY USAGE key [SAMPLES n]: the bytes of the key's record and its share of the index. */
function memoryUsage(ctx: ExecContext, argv: Buffer[]): void {
  for (let j = 3; j < argv.length; j++) {
    if (!isKeyword(argv[j], 'SAMPLES') || j + 1 >= argv.length) {
      ctx.reply.error(SYNTAX);
      return;
    }
    const samples = parseSafeInteger(argv[++j]);
    if (typeof samples !== 'number') {
      ctx.reply.error(NOT_INTEGER);
      return;
    }
    if (samples < 0) {
      ctx.reply.error(SYNTAX);
      return;
    }
  }
  const h = ctx.db.find(argv[2], ctx.now);
  if (h < 0) ctx.reply.nil();
  else ctx.reply.int(ctx.db.entryBytes(h));
}

const MEMORY_HELP = [
  'DOCTOR',
  '    Return memory problems reports.',
  'MALLOC-STATS',
  '    Return internal statistics report from the memory allocator.',
  'PURGE',
  '    Attempt to purge dirty pages for reclamation by the allocator.',
  'STATS',
  '    Return information about the memory usage of the server.',
  'USAGE <key> [SAMPLES <count>]',
  '    Return memory in bytes used by <key> and its value. Nested values are',
  '    sampled up to <count> times (default: 5, 0 means sample all).',
];

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * DEBUG: only the harmless subcommands test suites use. It runs on every shard
 * (route 'all'), so SET-ACTIVE-EXPIRE reaches them all; SLEEP blocks shard 0
 * while the coordinator holds the others frozen, so the whole server sleeps.
 */
function debug(ctx: ExecContext, argv: Buffer[]): void {
  const r = ctx.reply;
  const sub = argv[1];
  if (isKeyword(sub, 'HELP') && argv.length === 2) {
    replyHelp(r, 'DEBUG', DEBUG_HELP);
  } else if (isKeyword(sub, 'SLEEP') && argv.length === 3) {
    const ms = Number.parseFloat(argv[2].toString('latin1')) * 1000;
    if (ctx.shard.index === 0 && ms > 0) Atomics.wait(sleeper, 0, 0, ms);
    r.ok();
  } else if (isKeyword(sub, 'SET-ACTIVE-EXPIRE') && argv.length === 3) {
    ctx.shard.activeExpireEnabled = Number.parseInt(argv[2].toString('latin1'), 10) !== 0;
    r.ok();
  } else if (isKeyword(sub, 'LOG') && argv.length === 3) {
    if (ctx.shard.index === 0) ctx.dispatcher.log.warn(`DEBUG LOG: ${argv[2].toString('utf8')}`);
    r.ok();
  } else {
    r.error(subcommandSyntaxError('DEBUG', sub));
  }
}

const DEBUG_HELP = [
  'LOG <message>',
  '    Write <message> to the server log.',
  'SET-ACTIVE-EXPIRE <0|1>',
  '    Setting it to 0 disables expiring keys in background when they are not',
  '    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the',
  '    default.',
  'SLEEP <seconds>',
  '    Stop the server for <seconds>. Decimals allowed.',
];

/** SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]: nothing to save, so it just stops the server (no reply). */
function shutdown(ctx: ExecContext, argv: Buffer[]): void {
  let save = false;
  let nosave = false;
  let abort = false;
  for (let i = 1; i < argv.length; i++) {
    if (isKeyword(argv[i], 'NOSAVE')) nosave = true;
    else if (isKeyword(argv[i], 'SAVE')) save = true;
    else if (isKeyword(argv[i], 'ABORT')) abort = true;
    else if (!isKeyword(argv[i], 'NOW') && !isKeyword(argv[i], 'FORCE')) {
      ctx.reply.error(SYNTAX);
      return;
    }
  }
  if ((abort && argv.length > 2) || (save && nosave)) {
    ctx.reply.error(SYNTAX);
    return;
  }
  if (abort) {
    ctx.reply.error('ERR No shutdown in progress.');
    return;
  }
  ctx.dispatcher.log.warn('User requested shutdown...');
  ctx.client!.flags |= ClientFlag.CloseAfterReply;
  process.kill(process.pid, 'SIGTERM');
}

const ALL_SHARDS_OK = ['request_policy:all_shards', 'response_policy:all_succeeded'];
const NO_KEYS = [0, 0, 0] as const;
const MEMORY_SHARDS = { keys: NO_KEYS, acl: ['slow'], group: 'server', since: '4.0.0' } as const;

export const serverCommands: CommandDecl[] = [
  command({ name: 'dbsize', arity: 1, flags: ['readonly', 'fast'], keys: NO_KEYS, acl: ['keyspace', 'read', 'fast'], group: 'server', summary: 'Return the number of keys in the selected database', since: '1.0.0', complexity: 'O(1)', tips: ['request_policy:all_shards', 'response_policy:agg_sum'], route: 'all', merge: 'sum', handler: dbsize }),
  command({ name: 'flushdb', arity: -1, flags: ['write'], keys: NO_KEYS, acl: ['keyspace', 'write', 'slow', 'dangerous'], group: 'server', summary: 'Remove all keys from the current database', since: '1.0.0', complexity: 'O(N) where N is the number of keys in the selected database', tips: ALL_SHARDS_OK, route: 'all', merge: 'ok', handler: flushdb }),
  command({ name: 'flushall', arity: -1, flags: ['write'], keys: NO_KEYS, acl: ['keyspace', 'write', 'slow', 'dangerous'], group: 'server', summary: 'Remove all keys from all databases', since: '1.0.0', complexity: 'O(N) where N is the total number of keys in all databases', tips: ALL_SHARDS_OK, route: 'all', merge: 'ok', handler: flushall }),
  command({ name: 'swapdb', arity: 3, flags: ['write', 'fast'], keys: NO_KEYS, acl: ['keyspace', 'write', 'fast', 'dangerous'], group: 'server', summary: 'Swaps two Redis databases', since: '4.0.0', complexity: 'O(N) where N is the count of clients watching or blocking on keys from both databases.', route: 'all', merge: 'ok', handler: swapdb }),
  command({ name: 'time', arity: 1, flags: ['loading', 'stale', 'fast'], keys: NO_KEYS, acl: ['fast'], group: 'server', summary: 'Return the current server time', since: '2.6.0', complexity: 'O(1)', tips: ['nondeterministic_output'], handler: time }),
  command({ name: 'lastsave', arity: 1, flags: ['loading', 'stale', 'fast'], keys: NO_KEYS, acl: ['admin', 'fast', 'dangerous'], group: 'server', summary: 'Get the UNIX time stamp of the last successful save to disk', since: '1.0.0', complexity: 'O(1)', tips: ['nondeterministic_output'], handler: lastsave }),
  command({
    name: 'memory', arity: -2, flags: [], ...MEMORY_SHARDS, summary: 'A container for memory diagnostics commands', complexity: 'Depends on subcommand.',
    subcommands: [
      command({ name: 'usage', arity: -3, flags: ['readonly'], keys: [2, 2, 1], acl: ['read', 'slow'], group: 'server', summary: 'Estimate the memory usage of a key', since: '4.0.0', complexity: 'O(N) where N is the number of samples.', keySpecs: [{ flags: ['RO'], begin: { index: 2 }, find: { lastkey: 0, keystep: 1, limit: 0 } }], handler: memoryUsage }),
      command({ name: 'stats', arity: 2, flags: [], ...MEMORY_SHARDS, summary: 'Show memory usage details', complexity: 'O(1)', tips: ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'], route: 'threads', ...memoryStats }),
      command({ name: 'doctor', arity: 2, flags: [], ...MEMORY_SHARDS, summary: 'Outputs memory problems report', complexity: 'O(1)', tips: ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'], route: 'threads', ...memoryDoctor }),
      command({ name: 'malloc-stats', arity: 2, flags: [], ...MEMORY_SHARDS, summary: 'Show allocator internal stats', complexity: 'Depends on how much memory is allocated, could be slow', tips: ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'], handler: (ctx) => ctx.reply.verbatim('Stats not supported for the current allocator') }),
      command({ name: 'purge', arity: 2, flags: [], ...MEMORY_SHARDS, summary: 'Ask the allocator to release memory', complexity: 'Depends on how much memory is allocated, could be slow', tips: ALL_SHARDS_OK, handler: (ctx) => ctx.reply.ok() }),
      command({ name: 'help', arity: 2, flags: ['loading', 'stale'], ...MEMORY_SHARDS, summary: 'Show helpful text about the different subcommands', complexity: 'O(1)', handler: (ctx) => replyHelp(ctx.reply, 'MEMORY', MEMORY_HELP) }),
    ],
  }),
  command({ name: 'debug', arity: -2, flags: ['admin', 'noscript', 'loading', 'stale'], keys: NO_KEYS, acl: ['admin', 'slow', 'dangerous'], group: 'server', summary: 'A container for debugging commands', since: '1.0.0', complexity: 'Depends on subcommand.', route: 'all', merge: 'ok', handler: debug }),
  command({ name: 'shutdown', arity: -1, flags: ['admin', 'noscript', 'loading', 'stale', 'no_multi', 'allow_busy'], keys: NO_KEYS, acl: ['admin', 'slow', 'dangerous'], group: 'server', summary: 'Synchronously save the dataset to disk and then shut down the server', since: '1.0.0', complexity: 'O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)', handler: shutdown }),
  commandCommand,
  ...configCommands,
  ...clientCommands,
  ...infoCommands,
];
