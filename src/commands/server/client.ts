// CLIENT and its subcommands (Redis networking.c). Connection-local ones run on
// the client's thread; LIST and KILL reach every thread's clients: with
// several threads a coordinator runs an internal command on each thread and
// combines the answers.

import { command, type CommandDecl, type ExecContext, type ShardTx } from '../../dispatch/command';
import type { Dispatcher } from '../../dispatch/dispatcher';
import { bulkOf, integerOf, isError } from '../../dispatch/resp-scan';
import { ClientFlag, ReplyMode, type Client } from '../../net/client';
import { isKeyword } from '../../util/keyword';
import type { ReplyWriter } from '../../protocol/reply';
import { parseSafeInteger } from '../../util/number';
import { setClientName } from '../connection';
import { NOT_INTEGER, SYNTAX } from '../errors';
import { replyHelp, subcommandSyntaxError } from './help';
import { trackingCommands, trackingSubcommands } from './tracking';
import { TrackingFlag } from '../../tracking/client-state';

/** Per-connection modes that only CLIENT reads back (in CLIENT LIST flags). */
const noEvict = new WeakSet<Client>();
const noTouch = new WeakSet<Client>();

type ClientType = 'normal' | 'pubsub' | 'master' | 'replica';

/** Redis's getClientTypeByName. */
function clientTypeByName(arg: Buffer): ClientType | null {
  const name = arg.toString('latin1').toLowerCase();
  if (name === 'normal' || name === 'pubsub' || name === 'master') return name;
  if (name === 'replica' || name === 'slave') return 'replica';
  return null;
}

function clientType(c: Client): ClientType {
  return c.subscriptionCount > 0 ? 'pubsub' : 'normal';
}

function seconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/** Bytes of a command in RESP form. */
function commandBytes(words: readonly Uint8Array[]): number {
  let n = 3 + String(words.length).length;
  for (const w of words) n += 5 + String(w.length).length + w.length;
  return n;
}

const CLIENT_WORD = Buffer.from('client');
const LIST_WORD = Buffer.from('list');

/**
 * One CLIENT LIST / CLIENT INFO line (without its newline), Redis 7 fields, plus 7.2's
 * lib-name and lib-ver, for a client of this thread (`dispatcher`'s). `running` is the
 * size of the command the client is running now: Redis still holds it in the query
 * buffer (qbuf) while it executes.
 */
function clientInfoLine(dispatcher: Dispatcher, c: Client, now: number, running = 0): string {
  const [sub, psub, ssub] = dispatcher.shard.pubsub.countsOf(c);
  let flags = '';
  if (c.subscriptionCount > 0) flags += 'P';
  if (c.multi !== null) flags += 'x';
  // Blocked here, or on another shard (remoteBlock: a blocking command is in flight there).
  if (dispatcher.shard.blocking.isBlocked(c) || c.remoteBlock !== null) flags += 'b';
  if (c.tracking !== null) {
    flags += 't';
    if (c.tracking.flags & TrackingFlag.BrokenRedirect) flags += 'R';
    if (c.tracking.flags & TrackingFlag.Bcast) flags += 'B';
  }
  if (c.flags & ClientFlag.CloseAfterReply) flags += 'c';
  if (noEvict.has(c)) flags += 'e';
  if (noTouch.has(c)) flags += 'T';
  if (flags === '') flags = 'N';
  const qbuf = c.parser.pending + running;
  const omem = c.pendingOutputBytes;
  return (
    `id=${c.id} addr=${c.addr} laddr=${c.laddr} fd=${c.fd} name=${c.name === null ? '' : c.name.toString('latin1')}` +
    ` age=${seconds(now) - seconds(c.createdAt)} idle=${seconds(now) - seconds(c.lastInteraction)} flags=${flags}` +
    ` db=${c.dbIndex} sub=${sub} psub=${psub} ssub=${ssub} multi=${c.multi === null ? -1 : c.multi.commands.length} qbuf=${qbuf} qbuf-free=0 argv-mem=0 multi-mem=0` +
    ` rbs=${c.reply.buf.length} rbp=0 obl=${c.reply.len} oll=0 omem=${omem} tot-mem=${c.reply.buf.length + qbuf + omem}` +
    ` events=r cmd=${c.lastCommand} user=${c.user} redir=${c.tracking === null ? -1 : c.tracking.redirect} resp=${c.proto} lib-name=${c.libName} lib-ver=${c.libVersion}`
  );
}

// ---- CLIENT LIST -------------------------------------------------------------

interface ListFilter {
  type: ClientType | null;
  /** CLIENT LIST ID ...: the ids asked for, in order (repeats included). */
  ids: number[] | null;
}

/** Parses CLIENT LIST's options (the arguments after LIST); an error text when invalid. */
function parseListFilter(opts: Buffer[]): ListFilter | string {
  if (opts.length === 0) return { type: null, ids: null };
  if (opts.length === 2 && isKeyword(opts[0], 'TYPE')) {
    const type = clientTypeByName(opts[1]);
    return type === null ? `ERR Unknown client type '${opts[1].toString('latin1')}'` : { type, ids: null };
  }
  if (opts.length > 1 && isKeyword(opts[0], 'ID')) {
    const ids: number[] = [];
    for (let i = 1; i < opts.length; i++) {
      const id = parseSafeInteger(opts[i]);
      if (typeof id !== 'number') return 'ERR Invalid client ID';
      ids.push(id);
    }
    return { type: null, ids };
  }
  return SYNTAX;
}

/** This thread's clients that pass the filter. */
function localClientLines(dispatcher: Dispatcher, caller: Client | null, filter: ListFilter, opts: Buffer[]): string[] {
  const running = commandBytes([CLIENT_WORD, LIST_WORD, ...opts]);
  const now = Date.now();
  const lines: string[] = [];
  for (const c of dispatcher.clients.values()) {
    if (c.flags & ClientFlag.Closed) continue;
    if (filter.type !== null && clientType(c) !== filter.type) continue;
    if (filter.ids !== null && !filter.ids.includes(c.id)) continue;
    lines.push(clientInfoLine(dispatcher, c, now, c === caller ? running : 0));
  }
  return lines;
}

/** Puts lines (from one or several threads) in Redis's order: by id, or as the ID filter lists them. */
function clientListText(lines: string[], filter: ListFilter): string {
  const byId = new Map<number, string>();
  for (const line of lines) byId.set(Number(line.slice(3, line.indexOf(' '))), line);
  const ids = filter.ids ?? [...byId.keys()].sort((a, b) => a - b);
  let text = '';
  for (const id of ids) {
    const line = byId.get(id);
    if (line !== undefined) text += line + '\n';
  }
  return text;
}

function clientList(ctx: ExecContext, argv: Buffer[]): void {
  const filter = parseListFilter(argv.slice(2));
  if (typeof filter === 'string') ctx.reply.error(filter);
  else ctx.reply.verbatim(clientListText(localClientLines(ctx.dispatcher, ctx.client, filter, argv.slice(2)), filter));
}

/** Thread side of CLIENT LIST: argv is ['__client-list', ...CLIENT LIST options]; replies this thread's lines. */
function clientListShard(ctx: ExecContext, argv: Buffer[]): void {
  const filter = parseListFilter(argv.slice(1)) as ListFilter;
  ctx.reply.bulkString(localClientLines(ctx.dispatcher, ctx.client, filter, argv.slice(1)).join('\n'));
}

async function clientListEverywhere(tx: ShardTx, argv: Buffer[], reply: ReplyWriter): Promise<void> {
  const filter = parseListFilter(argv.slice(2));
  if (typeof filter === 'string') {
    reply.error(filter);
    return;
  }
  const parts = await onEveryShard(tx, [CLIENT_LIST_SHARD, ...argv.slice(2)]);
  const lines: string[] = [];
  for (const part of parts) {
    const text = bulkOf(part)!.toString('latin1');
    if (text !== '') lines.push(...text.split('\n'));
  }
  reply.verbatim(clientListText(lines, filter));
}

// ---- CLIENT KILL -------------------------------------------------------------

interface KillFilter {
  /** CLIENT KILL <addr>: replies OK / "No such client" rather than a count. */
  oldForm: boolean;
  addr: string | null;
  laddr: string | null;
  user: string | null;
  type: ClientType | null;
  id: number;
  skipMe: boolean;
}

/** Parses CLIENT KILL's arguments (after KILL), old and new forms; an error text when invalid. */
function parseKillFilter(opts: Buffer[]): KillFilter | string {
  const f: KillFilter = { oldForm: false, addr: null, laddr: null, user: null, type: null, id: 0, skipMe: true };
  if (opts.length === 1) {
    f.oldForm = true;
    f.addr = opts[0].toString('latin1');
    f.skipMe = false; // with the old form a client can kill itself
    return f;
  }
  for (let i = 0; i < opts.length; i += 2) {
    if (i + 1 >= opts.length) return SYNTAX;
    const opt = opts[i];
    const value = opts[i + 1];
    if (isKeyword(opt, 'ID')) {
      const id = parseSafeInteger(value);
      if (typeof id !== 'number' || id < 1) return 'ERR client-id should be greater than 0';
      f.id = id;
    } else if (isKeyword(opt, 'TYPE')) {
      f.type = clientTypeByName(value);
      if (f.type === null) return `ERR Unknown client type '${value.toString('latin1')}'`;
    } else if (isKeyword(opt, 'ADDR')) {
      f.addr = value.toString('latin1');
    } else if (isKeyword(opt, 'LADDR')) {
      f.laddr = value.toString('latin1');
    } else if (isKeyword(opt, 'USER')) {
      f.user = value.toString('latin1');
      // 'default' is the only user (there is no ACL SETUSER).
      if (f.user !== 'default') return `ERR No such user '${f.user}'`;
    } else if (isKeyword(opt, 'SKIPME')) {
      if (isKeyword(value, 'YES')) f.skipMe = true;
      else if (isKeyword(value, 'NO')) f.skipMe = false;
      else return SYNTAX;
    } else {
      return SYNTAX;
    }
  }
  return f;
}

function killFilterMatches(c: Client, f: KillFilter): boolean {
  return (
    (f.addr === null || c.addr === f.addr) &&
    (f.laddr === null || c.laddr === f.laddr) &&
    (f.type === null || clientType(c) === f.type) &&
    (f.id === 0 || c.id === f.id) &&
    (f.user === null || c.user === f.user)
  );
}

/** Closes this thread's clients that match, except `caller`; returns how many. */
function killOtherClients(dispatcher: Dispatcher, caller: Client | null, f: KillFilter): number {
  let killed = 0;
  for (const c of dispatcher.clients.values()) {
    if (c === caller || c.flags & ClientFlag.Closed || !killFilterMatches(c, f)) continue;
    c.close();
    killed++;
  }
  return killed;
}

/**
 * Replies to CLIENT KILL, counting the caller when it matches and SKIPME is off: it is
 * then closed only after its reply is written.
 */
function replyKilled(reply: ReplyWriter, caller: Client, f: KillFilter, killedOthers: number): void {
  let killed = killedOthers;
  if (!f.skipMe && killFilterMatches(caller, f)) {
    caller.flags |= ClientFlag.CloseAfterReply;
    killed++;
  }
  if (!f.oldForm) reply.int(killed);
  else if (killed === 0) reply.error('ERR No such client');
  else reply.ok();
}

function clientKill(ctx: ExecContext, argv: Buffer[]): void {
  const f = parseKillFilter(argv.slice(2));
  if (typeof f === 'string') ctx.reply.error(f);
  else replyKilled(ctx.reply, ctx.client!, f, killOtherClients(ctx.dispatcher, ctx.client, f));
}

/** Thread side of CLIENT KILL: argv is ['__client-kill', ...CLIENT KILL arguments]; replies the count killed here. */
function clientKillShard(ctx: ExecContext, argv: Buffer[]): void {
  ctx.reply.int(killOtherClients(ctx.dispatcher, ctx.client, parseKillFilter(argv.slice(1)) as KillFilter));
}

async function clientKillEverywhere(tx: ShardTx, argv: Buffer[], reply: ReplyWriter): Promise<void> {
  const f = parseKillFilter(argv.slice(2));
  if (typeof f === 'string') {
    reply.error(f);
    return;
  }
  const parts = await onEveryShard(tx, [CLIENT_KILL_SHARD, ...argv.slice(2)]);
  let killed = 0;
  for (const part of parts) if (!isError(part)) killed += integerOf(part);
  replyKilled(reply, tx.client, f, killed);
}

const CLIENT_LIST_SHARD = Buffer.from('__client-list');
const CLIENT_KILL_SHARD = Buffer.from('__client-kill');

/** Runs argv on every shard (or thread), resolving with the replies in shard order. */
export function onEveryShard(tx: ShardTx, argv: Buffer[]): Promise<Buffer[]> {
  const runs: Promise<Buffer>[] = [];
  for (let s = 0; s < tx.shardCount; s++) runs.push(tx.exec(s, argv));
  return Promise.all(runs);
}

// ---- connection-local subcommands ------------------------------------------

function clientSetName(ctx: ExecContext, argv: Buffer[]): void {
  if (setClientName(ctx, argv[2])) ctx.reply.ok();
}

function clientGetName(ctx: ExecContext): void {
  const name = ctx.client!.name;
  if (name === null) ctx.reply.nil();
  else ctx.reply.bulk(name);
}

/** CLIENT SETINFO LIB-NAME|LIB-VER value (Redis 7.2). */
function clientSetInfo(ctx: ExecContext, argv: Buffer[]): void {
  const attr = argv[2].toString('latin1');
  const isName = isKeyword(argv[2], 'LIB-NAME');
  if (!isName && !isKeyword(argv[2], 'LIB-VER')) {
    ctx.reply.error(`ERR Unrecognized option '${attr}'`);
    return;
  }
  for (const byte of argv[3]) {
    if (byte < 0x21 || byte > 0x7e) {
      ctx.reply.error(`ERR ${attr} cannot contain spaces, newlines or special characters.`);
      return;
    }
  }
  const value = argv[3].toString('latin1');
  if (isName) ctx.client!.libName = value;
  else ctx.client!.libVersion = value;
  ctx.reply.ok();
}

/** Handler of an ON|OFF connection mode kept in `set`. */
function onOffMode(set: WeakSet<Client>): (ctx: ExecContext, argv: Buffer[]) => void {
  return (ctx, argv) => {
    if (isKeyword(argv[2], 'ON')) set.add(ctx.client!);
    else if (isKeyword(argv[2], 'OFF')) set.delete(ctx.client!);
    else {
      ctx.reply.error(SYNTAX);
      return;
    }
    ctx.reply.ok();
  };
}

/**
 * CLIENT REPLY ON|OFF|SKIP: only ON replies (OK). The suppression itself happens where the
 * client runs its commands (net/client.ts), which also drops this error while replies are off.
 */
function clientReply(ctx: ExecContext, argv: Buffer[]): void {
  const client = ctx.client!;
  if (isKeyword(argv[2], 'ON')) {
    client.replyMode = ReplyMode.On;
    ctx.reply.ok();
  } else if (isKeyword(argv[2], 'OFF')) {
    client.replyMode = ReplyMode.Off;
  } else if (isKeyword(argv[2], 'SKIP')) {
    if (client.replyMode !== ReplyMode.Off) client.replyMode = ReplyMode.SkipNext;
  } else {
    ctx.reply.error(SYNTAX);
  }
}

/** CLIENT PAUSE: arguments checked as Redis does; clients are not actually paused. */
function clientPause(ctx: ExecContext, argv: Buffer[]): void {
  if (argv.length > 4) {
    ctx.reply.error(subcommandSyntaxError('CLIENT', argv[1]));
    return;
  }
  if (argv.length === 4 && !isKeyword(argv[3], 'WRITE') && !isKeyword(argv[3], 'ALL')) {
    ctx.reply.error('ERR CLIENT PAUSE mode must be WRITE or ALL');
    return;
  }
  const timeout = parseSafeInteger(argv[2]);
  if (typeof timeout !== 'number') ctx.reply.error('ERR timeout is not an integer or out of range');
  else if (timeout < 0) ctx.reply.error('ERR timeout is negative');
  else ctx.reply.ok();
}

const CLIENT_HELP = [
  'CACHING (YES|NO)',
  '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.',
  'GETREDIR',
  '    Return the client ID we are redirecting to when tracking is enabled.',
  'GETNAME',
  '    Return the name of the current connection.',
  'ID',
  '    Return the ID of the current connection.',
  'INFO',
  '    Return information about the current client connection.',
  'KILL <ip:port>',
  '    Kill connection made from <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]',
  '    Kill connections. Options are:',
  '    * ADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made from the specified address',
  '    * LADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made to specified local address',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Kill connections by type.',
  '    * USER <username>',
  '      Kill connections authenticated by <username>.',
  '    * SKIPME (YES|NO)',
  '      Skip killing current connection (default: yes).',
  'LIST [options ...]',
  '    Return information about client connections. Options:',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Return clients of specified type.',
  'UNPAUSE',
  '    Stop the current client pause, resuming traffic.',
  'PAUSE <timeout> [WRITE|ALL]',
  '    Suspend all, or just write, clients for <timeout> milliseconds.',
  'REPLY (ON|OFF|SKIP)',
  '    Control the replies sent to the current connection.',
  'SETNAME <name>',
  '    Assign the name <name> to the current connection.',
  'UNBLOCK <clientid> [TIMEOUT|ERROR]',
  '    Unblock the specified blocked client.',
  'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
  '         [OPTIN] [OPTOUT] [NOLOOP]',
  '    Control server assisted client side caching.',
  'TRACKINGINFO',
  '    Report tracking status for the current connection.',
  'NO-EVICT (ON|OFF)',
  '    Protect current client connection from eviction.',
];

/** CLIENT UNBLOCK id [TIMEOUT|ERROR]: runs on every thread; the shard holding the blocked call releases it. */
function clientUnblock(ctx: ExecContext, argv: Buffer[]): void {
  const id = parseSafeInteger(argv[2]);
  if (typeof id !== 'number') {
    ctx.reply.error(NOT_INTEGER);
    return;
  }
  let withError = false;
  if (argv.length === 4) {
    if (isKeyword(argv[3], 'ERROR')) withError = true;
    else if (!isKeyword(argv[3], 'TIMEOUT')) {
      ctx.reply.error('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
      return;
    }
  } else if (argv.length > 4) {
    ctx.reply.error(SYNTAX);
    return;
  }
  ctx.reply.int(ctx.dispatcher.unblockClient(id, withError) ? 1 : 0);
}

const LOCAL = { keys: [0, 0, 0], group: 'connection' } as const;
const PLAIN = { ...LOCAL, flags: ['noscript', 'loading', 'stale'], acl: ['slow', 'connection'] } as const;
const ADMIN = { ...LOCAL, flags: ['admin', 'noscript', 'loading', 'stale'], acl: ['admin', 'slow', 'dangerous', 'connection'] } as const;
const INTERNAL = { arity: -1, flags: [], keys: [0, 0, 0], acl: [], group: 'connection', summary: '', since: '', internal: true } as const;

export const clientCommands: CommandDecl[] = [
  command({
    name: 'client', arity: -2, flags: [], ...LOCAL, acl: ['slow'], summary: 'A container for client connection commands', since: '2.4.0', complexity: 'Depends on subcommand.',
    subcommands: [
      command({ name: 'id', arity: 2, ...PLAIN, summary: 'Returns the client ID for the current connection', since: '5.0.0', complexity: 'O(1)', handler: (ctx) => ctx.reply.int(ctx.client!.id) }),
      command({ name: 'setname', arity: 3, ...PLAIN, summary: 'Set the current connection name', since: '2.6.9', complexity: 'O(1)', handler: clientSetName }),
      command({ name: 'getname', arity: 2, ...PLAIN, summary: 'Get the current connection name', since: '2.6.9', complexity: 'O(1)', handler: clientGetName }),
      command({ name: 'setinfo', arity: 4, ...PLAIN, summary: 'Set client or connection specific info', since: '7.2.0', complexity: 'O(1)', tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'], handler: clientSetInfo }),
      command({ name: 'info', arity: 2, ...PLAIN, summary: 'Returns information about the current client connection.', since: '6.2.0', complexity: 'O(1)', tips: ['nondeterministic_output'], handler: (ctx, argv) => ctx.reply.verbatim(clientInfoLine(ctx.dispatcher, ctx.client!, Date.now(), commandBytes(argv)) + '\n') }),
      command({ name: 'list', arity: -2, ...ADMIN, summary: 'Get the list of client connections', since: '2.4.0', complexity: 'O(N) where N is the number of client connections', tips: ['nondeterministic_output'], route: 'threads', handler: clientList, coordinate: clientListEverywhere }),
      command({ name: 'kill', arity: -3, ...ADMIN, summary: 'Kill the connection of a client', since: '2.4.0', complexity: 'O(N) where N is the number of client connections', route: 'threads', handler: clientKill, coordinate: clientKillEverywhere }),
      command({ name: 'no-evict', arity: 3, ...ADMIN, summary: 'Set client eviction mode for the current connection', since: '7.0.0', complexity: 'O(1)', handler: onOffMode(noEvict) }),
      command({ name: 'no-touch', arity: 3, ...PLAIN, summary: 'Controls whether commands sent by the client will alter the LRU/LFU of the keys they access.', since: '7.2.0', complexity: 'O(1)', handler: onOffMode(noTouch) }),
      command({ name: 'reply', arity: 3, ...PLAIN, summary: 'Instruct the server whether to reply to commands', since: '3.2.0', complexity: 'O(1)', handler: clientReply }),
      command({ name: 'pause', arity: -3, ...ADMIN, summary: 'Stop processing commands from clients for some time', since: '2.9.50', complexity: 'O(1)', handler: clientPause }),
      command({ name: 'unpause', arity: 2, ...ADMIN, summary: 'Resume processing of clients that were paused', since: '6.2.0', complexity: 'O(N) Where N is the number of paused clients', handler: (ctx) => ctx.reply.ok() }),
      command({ name: 'unblock', arity: -3, ...ADMIN, summary: 'Unblock a client blocked in a blocking command from a different connection', since: '5.0.0', complexity: 'O(log N) where N is the number of client connections', route: 'threads', merge: 'sum', handler: clientUnblock }),
      command({ name: 'help', arity: 2, ...LOCAL, flags: ['loading', 'stale'], acl: ['slow', 'connection'], summary: 'Show helpful text about the different subcommands', since: '5.0.0', complexity: 'O(1)', handler: (ctx) => replyHelp(ctx.reply, 'CLIENT', CLIENT_HELP) }),
      ...trackingSubcommands,
    ],
  }),
  command({ name: '__client-list', ...INTERNAL, handler: clientListShard }),
  command({ name: '__client-kill', ...INTERNAL, handler: clientKillShard }),
  ...trackingCommands,
];
