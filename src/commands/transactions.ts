// Transactions: MULTI EXEC DISCARD WATCH UNWATCH (Redis multi.c).
//
// Commands after MULTI are queued by the dispatcher. EXEC runs them with
// nothing interleaved: on one thread it simply runs them in a row; on several
// it coordinates (every shard frozen), so no other client's command runs
// between them on any shard.

import { command, type ExecContext, type ShardTx } from '../dispatch/command';
import type { Client } from '../net/client';
import type { ReplyWriter } from '../protocol/reply';
import { integerOf } from '../dispatch/resp-scan';

const EXECABORT = 'EXECABORT Transaction discarded because of previous errors.';

function multi(ctx: ExecContext): void {
  const client = ctx.client!;
  if (client.multi !== null) {
    ctx.reply.error('ERR MULTI calls can not be nested');
    return;
  }
  client.multi = { commands: [], aborted: false };
  ctx.reply.ok();
}

function discard(ctx: ExecContext): void {
  const client = ctx.client!;
  if (client.multi === null) {
    ctx.reply.error('ERR DISCARD without MULTI');
    return;
  }
  client.multi = null;
  unwatchAllLocal(ctx);
  ctx.reply.ok();
}

/** WATCH runs on the shard of each key: it registers the calling client there. */
function watch(ctx: ExecContext, argv: Buffer[]): void {
  for (let i = 1; i < argv.length; i++) {
    const existed = ctx.db.find(argv[i], ctx.now) >= 0;
    ctx.shard.watches.add(ctx.clientId, ctx.dbIndex, argv[i], existed);
  }
  ctx.reply.ok();
}

/** Drops the caller's watches on this shard (UNWATCH runs on every shard). */
function unwatch(ctx: ExecContext): void {
  ctx.shard.watches.unwatchAll(ctx.clientId);
  if (ctx.client) ctx.client.watching = false;
  ctx.reply.ok();
}

function unwatchAllLocal(ctx: ExecContext): void {
  const client = ctx.client!;
  if (!client.watching) return;
  ctx.dispatcher.unwatchEverywhere(client);
}

/** Internal: 1 when a key the caller watches on this shard changed, else 0. */
function watchCheck(ctx: ExecContext): void {
  ctx.reply.int(ctx.shard.watches.isDirty(ctx.clientId, ctx.shard.dbs, ctx.now) ? 1 : 0);
}

/** EXEC on a one-thread server: every queued command in a row. */
function exec(ctx: ExecContext): void {
  const client = ctx.client!;
  const state = execPreamble(ctx.reply, client);
  if (state === null) return;
  const dispatcher = ctx.dispatcher;
  const dirty = client.watching && ctx.shard.watches.isDirty(client.id, ctx.shard.dbs, ctx.now);
  dispatcher.unwatchEverywhere(client);
  if (dirty) {
    ctx.reply.nilArray();
    return;
  }
  const reply = ctx.reply;
  reply.array(state.length);
  for (const argv of state) {
    const cmd = dispatcher.lookupChecked(argv)!;
    dispatcher.runOn(cmd, client.dbIndex, reply, client, argv, false, client.id);
  }
}

/** EXEC on a multi-shard server: runs inside a coordination, so all shards are frozen. */
async function execCoordinated(tx: ShardTx, _argv: Buffer[], reply: ReplyWriter): Promise<void> {
  const client = tx.client;
  const state = execPreamble(reply, client);
  if (state === null) return;
  let dirty = false;
  if (client.watching) {
    const checks = await Promise.all(Array.from({ length: tx.shardCount }, (_, s) => tx.exec(s, [WATCH_CHECK])));
    dirty = checks.some((r) => integerOf(r) === 1);
    await Promise.all(Array.from({ length: tx.shardCount }, (_, s) => tx.exec(s, [UNWATCH])));
    client.watching = false;
  }
  if (dirty) {
    reply.nilArray();
    return;
  }
  reply.array(state.length);
  for (const argv of state) reply.raw(await tx.run(argv));
}

/** Ends the MULTI state; returns the queued commands, or null after replying an error. */
function execPreamble(reply: ReplyWriter, client: Client): Buffer[][] | null {
  const state = client.multi;
  if (state === null) {
    reply.error('ERR EXEC without MULTI');
    return null;
  }
  client.multi = null;
  if (state.aborted) {
    reply.error(EXECABORT);
    return null;
  }
  return state.commands;
}

const WATCH_CHECK = Buffer.from('_exec-watch-check');
const UNWATCH = Buffer.from('unwatch');

const TX_FLAGS = ['noscript', 'loading', 'stale', 'fast', 'allow_busy'] as const;

export const transactionCommands = [
  command({ name: 'multi', arity: 1, flags: TX_FLAGS, keys: [0, 0, 0], acl: ['fast', 'transaction'], group: 'transactions', summary: 'Start a transaction block', since: '1.2.0', complexity: 'O(1)', handler: multi }),
  command({ name: 'exec', arity: 1, flags: ['noscript', 'loading', 'stale', 'skip_slowlog'], keys: [0, 0, 0], acl: ['slow', 'transaction'], group: 'transactions', summary: 'Execute all commands issued after MULTI', since: '1.2.0', complexity: 'Depends on commands in the transaction', route: 'all', handler: exec, coordinate: execCoordinated }),
  command({ name: 'discard', arity: 1, flags: TX_FLAGS, keys: [0, 0, 0], acl: ['fast', 'transaction'], group: 'transactions', summary: 'Discard all commands issued after MULTI', since: '2.0.0', complexity: 'O(N), when N is the number of queued commands', handler: discard }),
  command({ name: 'watch', arity: -2, flags: TX_FLAGS, keys: [1, -1, 1], acl: ['fast', 'transaction'], group: 'transactions', summary: 'Watch the given keys to determine execution of the MULTI/EXEC block', since: '2.2.0', complexity: 'O(1) for every key.', merge: 'ok', handler: watch }),
  command({ name: 'unwatch', arity: 1, flags: TX_FLAGS, keys: [0, 0, 0], acl: ['fast', 'transaction'], group: 'transactions', summary: 'Forget about all watched keys', since: '2.2.0', complexity: 'O(1)', route: 'all', merge: 'ok', handler: unwatch }),
  command({ name: '_exec-watch-check', internal: true, arity: 1, flags: ['fast'], keys: [0, 0, 0], acl: [], group: 'transactions', summary: 'Internal: did a key watched by the caller change on this shard', since: '7.0.0', handler: watchCheck }),
];
