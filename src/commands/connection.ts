// Connection commands: PING ECHO QUIT SELECT AUTH HELLO RESET.
// They run on the client's own thread (route 'client') and touch no keys.

import { command, type ExecContext } from '../dispatch/command';
import { ClientFlag, type Client } from '../net/client';
import { config } from '../config';
import { parseSafeInteger } from '../util/number';
import { DB_INDEX_OUT_OF_RANGE, NOT_INTEGER, SYNTAX } from './errors';
import { REDIS_VERSION } from '../version';

const PONG = Buffer.from('pong');
const EMPTY = Buffer.alloc(0);

function ping(ctx: ExecContext, argv: Buffer[]): void {
  const r = ctx.reply;
  if (argv.length > 2) {
    r.error("ERR wrong number of arguments for 'ping' command");
  } else if (ctx.client!.subscriptionCount > 0 && r.proto === 2) {
    r.array(2);
    r.bulk(PONG);
    r.bulk(argv.length === 1 ? EMPTY : argv[1]);
  } else if (argv.length === 1) {
    r.simple('PONG');
  } else {
    r.bulk(argv[1]);
  }
}

function echo(ctx: ExecContext, argv: Buffer[]): void {
  ctx.reply.bulk(argv[1]);
}

function quit(ctx: ExecContext): void {
  ctx.reply.ok();
  ctx.client!.flags |= ClientFlag.CloseAfterReply;
}

function select(ctx: ExecContext, argv: Buffer[]): void {
  const db = parseSafeInteger(argv[1]);
  if (typeof db !== 'number') {
    ctx.reply.error(NOT_INTEGER);
  } else if (db < 0 || db >= ctx.shard.dbs.length) {
    ctx.reply.error(DB_INDEX_OUT_OF_RANGE);
  } else {
    ctx.client!.dbIndex = db;
    ctx.reply.ok();
  }
}

/** Checks credentials against requirepass (the only user is 'default'). */
function checkPassword(user: Buffer, pass: Buffer): boolean {
  const required = config.string('requirepass');
  if (user.toString('latin1') !== 'default') return false;
  return required === '' || pass.toString('latin1') === required;
}

function auth(ctx: ExecContext, argv: Buffer[]): void {
  const r = ctx.reply;
  if (argv.length > 3) {
    r.error(SYNTAX);
    return;
  }
  if (argv.length === 2 && config.string('requirepass') === '') {
    r.error('ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?');
    return;
  }
  const ok = argv.length === 2 ? checkPassword(DEFAULT_USER, argv[1]) : checkPassword(argv[1], argv[2]);
  if (ok) {
    ctx.client!.authenticated = true;
    r.ok();
  } else {
    r.error('WRONGPASS invalid username-password pair or user is disabled.');
  }
}

const DEFAULT_USER = Buffer.from('default');

function hello(ctx: ExecContext, argv: Buffer[]): void {
  const r = ctx.reply;
  const client = ctx.client!;
  let ver = 0;
  let next = 1;
  if (argv.length >= 2) {
    const v = parseSafeInteger(argv[next++]);
    if (typeof v !== 'number') {
      r.error('ERR Protocol version is not an integer or out of range');
      return;
    }
    if (v < 2 || v > 3) {
      r.error('NOPROTO unsupported protocol version');
      return;
    }
    ver = v;
  }
  for (let j = next; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = argv[j].toString('latin1').toLowerCase();
    if (opt === 'auth' && more >= 2) {
      if (!checkPassword(argv[j + 1], argv[j + 2])) {
        r.error('WRONGPASS invalid username-password pair or user is disabled.');
        return;
      }
      client.authenticated = true;
      j += 2;
    } else if (opt === 'setname' && more >= 1) {
      if (!setClientName(ctx, argv[j + 1])) return;
      j++;
    } else {
      r.error(`ERR Syntax error in HELLO option '${argv[j].toString('latin1')}'`);
      return;
    }
  }
  if (!client.authenticated) {
    r.error('NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time');
    return;
  }
  if (ver) client.proto = ver as 2 | 3;
  r.map(7);
  r.bulkString('server');
  r.bulkString('redis');
  r.bulkString('version');
  r.bulkString(REDIS_VERSION);
  r.bulkString('proto');
  r.int(client.proto);
  r.bulkString('id');
  r.int(client.id);
  r.bulkString('mode');
  r.bulkString('standalone');
  r.bulkString('role');
  r.bulkString('master');
  r.bulkString('modules');
  r.array(0);
}

/** Validates and sets a client name as CLIENT SETNAME does; replies with the error and returns false when invalid. */
export function setClientName(ctx: ExecContext, name: Buffer): boolean {
  for (const byte of name) {
    if (byte < 0x21 || byte > 0x7e) {
      ctx.reply.error('ERR Client names cannot contain spaces, newlines or special characters.');
      return false;
    }
  }
  ctx.client!.name = name.length === 0 ? null : Buffer.from(name);
  return true;
}

function reset(ctx: ExecContext): void {
  resetClient(ctx.client!, ctx);
  ctx.reply.simple('RESET');
}

/** Puts a connection back in its just-connected state (RESET). */
function resetClient(client: Client, ctx: ExecContext): void {
  ctx.dispatcher.resetClientState(client);
  client.dbIndex = 0;
  client.proto = 2;
  client.name = null;
  client.authenticated = config.string('requirepass') === '';
}

export const connectionCommands = [
  command({ name: 'ping', arity: -1, flags: ['fast'], keys: [0, 0, 0], acl: ['fast', 'connection'], group: 'connection', summary: 'Ping the server', since: '1.0.0', complexity: 'O(1)', tips: ['request_policy:all_shards', 'response_policy:all_succeeded'], handler: ping }),
  command({ name: 'echo', arity: 2, flags: ['fast'], keys: [0, 0, 0], acl: ['fast', 'connection'], group: 'connection', summary: 'Echo the given string', since: '1.0.0', complexity: 'O(1)', handler: echo }),
  command({ name: 'quit', arity: -1, flags: ['allow_busy', 'noscript', 'loading', 'stale', 'fast', 'no_auth'], keys: [0, 0, 0], acl: ['fast', 'connection'], group: 'connection', summary: 'Close the connection', since: '1.0.0', complexity: 'O(1)', handler: quit }),
  command({ name: 'select', arity: 2, flags: ['loading', 'stale', 'fast'], keys: [0, 0, 0], acl: ['fast', 'connection'], group: 'connection', summary: 'Change the selected database for the current connection', since: '1.0.0', complexity: 'O(1)', handler: select }),
  command({ name: 'auth', arity: -2, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], keys: [0, 0, 0], acl: ['fast', 'connection'], group: 'connection', summary: 'Authenticate to the server', since: '1.0.0', complexity: 'O(N) where N is the number of passwords defined for the user', handler: auth }),
  command({ name: 'hello', arity: -1, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], keys: [0, 0, 0], acl: ['fast', 'connection'], group: 'connection', summary: 'Handshake with Redis', since: '6.0.0', complexity: 'O(1)', handler: hello }),
  command({ name: 'reset', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], keys: [0, 0, 0], acl: ['fast', 'connection'], group: 'connection', summary: 'Reset the connection', since: '6.2.0', complexity: 'O(1)', handler: reset }),
];
