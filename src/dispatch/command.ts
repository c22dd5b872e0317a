// Command declarations. Every command is declared once, as data, in its family
// module (src/commands/*.ts); COMMAND, routing, ACL and MULTI all read these
// declarations, so no second list of commands exists anywhere.

import type { Protocol, ReplyWriter } from '../protocol/reply';
import type { Keyspace } from '../store/keyspace';
import type { Shard } from '../shard/shard';
import type { Client } from '../net/client';
import type { Dispatcher } from './dispatcher';
import type { TimeoutReply } from './blocking';

/** Redis command flags (COMMAND INFO spelling). */
export type CommandFlag =
  | 'write' | 'readonly' | 'denyoom' | 'admin' | 'pubsub' | 'noscript' | 'blocking'
  | 'loading' | 'stale' | 'skip_monitor' | 'skip_slowlog' | 'fast' | 'no_auth'
  | 'may_replicate' | 'no_mandatory_keys' | 'no_multi' | 'movablekeys' | 'allow_busy';

/**
 * Where a command runs:
 * - 'keys': on the shard(s) owning its keys (the default for commands with keys);
 * - 'client': on the connection's own thread, with access to the client (PING, CLIENT, HELLO, ...);
 * - 'all': on every shard, atomically (all shards frozen meanwhile), replies merged by `merge`;
 * - 'threads': on every thread, without freezing anything (per-thread state such as
 *   subscriptions: PUBLISH, PUBSUB), replies merged by `merge` or `coordinate`.
 */
export type Route = 'keys' | 'client' | 'all' | 'threads';

/**
 * How replies from several shards combine into one when a command's keys span
 * shards (or it runs on all shards):
 * - 'sum': integer replies added (DEL, EXISTS, DBSIZE);
 * - 'concat': array replies concatenated (KEYS);
 * - 'ok': every shard replied +OK (MSET, FLUSHDB);
 * - 'keyorder': one array element per key, put back in the order of the keys (MGET).
 */
export type Merge = 'sum' | 'concat' | 'ok' | 'keyorder';

/** What a handler sees: the executing shard, the selected database and the reply being written. */
export interface ExecContext {
  shard: Shard;
  db: Keyspace;
  dbIndex: number;
  reply: ReplyWriter;
  /** Wall clock in ms, read once per batch. */
  now: number;
  /** The calling client; only set for route 'client' commands (and always on a 1-thread server). */
  client: Client | null;
  /** Id of the calling client, wherever the command runs (0 for internal work). */
  clientId: number;
  /** This thread's dispatcher: the command table, its clients and the links to other shards. */
  dispatcher: Dispatcher;
  /** False inside MULTI, scripts and multi-shard coordination: blocking commands must then reply at once. */
  canBlock: boolean;
  /** True while a blocked command runs again because a key got data (Redis then skips keys of another type). */
  rerun: boolean;
  /**
   * Blocks the caller on keys (only when canBlock). Reply nothing: when a key is signalled
   * ready the same command is run again from the start, in FIFO order of the blocked clients;
   * on timeout (ms, 0 = forever) the client gets timeoutReply.
   */
  block(keys: Buffer[], timeoutMs: number, timeoutReply: TimeoutReply, options?: BlockOptions): void;
  /** Marks a key of the current database as having new data for clients blocked on it. */
  signalReady(key: Uint8Array): void;
}

/** How a blocked command waits, beyond its keys and timeout. */
export interface BlockOptions {
  /** What to run again instead of the original argv (XREAD: its `$` IDs resolved when it blocked). */
  rerunArgv?: Buffer[];
  /**
   * Also run again after any successful write to one of the keys (a DEL, SET, RENAME...) or a
   * keyless write (FLUSHALL, SWAPDB): XREADGROUP then fails when its stream went away, as in Redis.
   */
  wakeOnWrite?: boolean;
}

export type Handler = (ctx: ExecContext, argv: Buffer[]) => void;

/** What a multi-shard coordinator can do while every shard is frozen for it. */
export interface ShardTx {
  readonly shardCount: number;
  /** The calling client's selected database. */
  readonly dbIndex: number;
  /** The calling client (on the coordinating thread). */
  readonly client: Client;
  shardOf(key: Uint8Array): number;
  /** Runs argv (any command of the table, internal ones included) on shard s; resolves with its encoded reply. */
  exec(shard: number, argv: Buffer[]): Promise<Buffer>;
  /** Runs a whole command, routed as usual (one shard, or split over several); resolves with its reply. */
  run(argv: Buffer[]): Promise<Buffer>;
  /** The command an argv names (a container's subcommand resolved). */
  lookup(argv: Buffer[]): Command | undefined;
  /**
   * Runs a whole command (argv, already looked up as `cmd`) synchronously, routed as usual, in
   * database `dbIndex`, replying in `proto` (scripts run without awaiting). The reply is valid
   * until the next call. Null when the command needs its coordinator (keys on several shards):
   * run it with run() instead.
   */
  runNow(cmd: Command, argv: Buffer[], dbIndex: number, proto: Protocol): Buffer | null;
  /** Runs argv on every other thread without waiting (cache updates). */
  broadcast(argv: Buffer[]): void;
  /** False when the coordinated command runs inside EXEC: a blocking command must reply at once. */
  readonly canBlock: boolean;
  /**
   * Blocks the client on keys of several shards (only when canBlock). Write no reply: when one of
   * the keys gets data the whole command is coordinated again; after timeoutMs (0 = forever) the
   * client gets a null array.
   */
  blockOn(keys: Buffer[], timeoutMs: number): Promise<void>;
}

/**
 * Multi-shard form of a command, used instead of splitting by `merge` when its keys span
 * shards (or for route 'all'). It must write exactly one reply.
 */
export type Coordinator = (tx: ShardTx, argv: Buffer[], reply: ReplyWriter) => Promise<void>;

/** Extracts key positions for commands whose keys can't be described by first/last/step. */
export type KeyFinder = (argv: Buffer[]) => number[];

/** Key specification flags (COMMAND INFO spelling). */
export type KeySpecFlag =
  | 'RO' | 'RW' | 'OW' | 'RM' | 'access' | 'update' | 'insert' | 'delete'
  | 'not_key' | 'incomplete' | 'variable_flags';

/**
 * A Redis 7 key specification, as COMMAND INFO reports it: where the search for keys
 * begins (an argument index or a keyword) and how keys are found from there.
 */
export interface KeySpec {
  notes?: string;
  flags: readonly KeySpecFlag[];
  begin: { index: number } | { keyword: string; startfrom: number } | 'unknown';
  find: { lastkey: number; keystep: number; limit: number } | { keynumidx: number; firstkey: number; keystep: number } | 'unknown';
}

export interface CommandDecl {
  /** Lowercase name; subcommands use their own name only ('list' under 'client'). */
  name: string;
  /** Redis arity: positive is exact, negative is a minimum. Counts the command name (and subcommand). */
  arity: number;
  flags: readonly CommandFlag[];
  /** First key index, last key index (negative counts from the end), step. [0,0,0] means no keys. */
  keys: readonly [number, number, number];
  /** ACL categories without the '@'. */
  acl: readonly string[];
  /** Docs group (COMMAND DOCS): string, generic, server, connection, ... */
  group: string;
  summary: string;
  since: string;
  complexity?: string;
  /** Command tips (COMMAND INFO), e.g. 'nondeterministic_output', 'request_policy:all_shards'. */
  tips?: readonly string[];
  /**
   * Key specs, when the default one derived from `keys` and the flags (readonly: RO access,
   * write: RW update) is not what Redis reports.
   */
  keySpecs?: readonly KeySpec[];
  route?: Route;
  merge?: Merge;
  /** Multi-shard form, for commands whose parts can't simply be merged (RENAME, SCAN, INFO, ...). */
  coordinate?: Coordinator;
  /** Shard-side helper commands used by coordinators: never callable by clients, not listed by COMMAND. */
  internal?: boolean;
  /** For commands with variable key positions (flag movablekeys). */
  keyFinder?: KeyFinder;
  /**
   * True when a call also reads keys its key positions don't name (SORT's BY/GET
   * patterns): on a multi-shard server such a call always runs as `coordinate`.
   */
  readsUndeclaredKeys?: (argv: Buffer[]) => boolean;
  handler?: Handler;
  subcommands?: CommandDecl[];
}

/** A declared command plus the derived data the dispatcher needs per call. */
export interface Command extends CommandDecl {
  /** 'get', or 'client|list' for a subcommand. */
  fullName: string;
  parent: Command | null;
  route: Route;
  /** Subcommands by lowercase name. */
  subcommandMap: Map<string, Command> | null;
  isWrite: boolean;
  /** Running statistics for INFO commandstats. */
  stats: { calls: number; usec: number; rejected: number; failed: number };
}

export function command(decl: CommandDecl): CommandDecl {
  return decl;
}
