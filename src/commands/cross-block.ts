// Internal commands behind clients blocked on keys of several shards (see
// ShardLinks in src/dispatch/links.ts): a watch per shard that tells the
// client's thread when one of the keys gets data.

import { command, type ExecContext } from '../dispatch/command';

/** _xwatch <thread> key...: watch keys of this shard for the calling client of `thread` (re-armed in place if it exists). */
function xwatch(ctx: ExecContext, argv: Buffer[]): void {
  const thread = Number(argv[1].latin1Slice(0, argv[1].length));
  ctx.shard.blocking.watch(thread, ctx.clientId, ctx.dbIndex, argv.slice(2));
  ctx.reply.ok();
}

/** _xunwatch <thread>: drop the calling client's watch on this shard. */
function xunwatch(ctx: ExecContext, argv: Buffer[]): void {
  ctx.shard.blocking.unwatch(Number(argv[1].latin1Slice(0, argv[1].length)), ctx.clientId);
  ctx.reply.ok();
}

/** _xready <client id>: a watch saw data for a client of this thread. */
function xready(ctx: ExecContext, argv: Buffer[]): void {
  ctx.dispatcher.links?.crossReady(Number(argv[1].latin1Slice(0, argv[1].length)));
  ctx.reply.ok();
}

const INTERNAL = { flags: [], keys: [0, 0, 0], acl: [], group: 'generic', since: '7.0.0', internal: true } as const;

export const crossBlockCommands = [
  command({ name: '_xwatch', arity: -3, ...INTERNAL, summary: 'Internal: watch keys for a client blocked on several shards', handler: xwatch }),
  command({ name: '_xunwatch', arity: 2, ...INTERNAL, summary: 'Internal: drop such a watch', handler: xunwatch }),
  command({ name: '_xready', arity: 2, ...INTERNAL, summary: 'Internal: a watched key got data', handler: xready }),
];
