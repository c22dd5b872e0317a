// Pub/Sub: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE PUBLISH, the shard
// variants SSUBSCRIBE SUNSUBSCRIBE SPUBLISH, and PUBSUB introspection.
// Subscriptions live in the registry of the subscriber's thread (src/pubsub);
// (un)subscribing runs on the client's thread, PUBLISH and PUBSUB run on every
// thread (route 'threads') and their per-thread answers are combined.

import { command, type CommandDecl, type ExecContext, type KeySpec, type ShardTx } from '../dispatch/command';
import type { ReplyWriter } from '../protocol/reply';
import { arrayElements, integerOf, isError } from '../dispatch/resp-scan';
import { SubscriptionKind } from '../pubsub/registry';
import { replyHelp, subcommandSyntaxError } from './server/help';

function subscribeTo(kind: SubscriptionKind, ctx: ExecContext, argv: Buffer[]): void {
  const client = ctx.client!;
  for (let i = 1; i < argv.length; i++) ctx.shard.pubsub.subscribe(client, kind, argv[i], ctx.reply);
}

function unsubscribeFrom(kind: SubscriptionKind, ctx: ExecContext, argv: Buffer[]): void {
  const client = ctx.client!;
  if (argv.length === 1) {
    ctx.shard.pubsub.unsubscribeAll(client, kind, ctx.reply);
    return;
  }
  for (let i = 1; i < argv.length; i++) ctx.shard.pubsub.unsubscribe(client, kind, argv[i], ctx.reply);
}

function subscribe(ctx: ExecContext, argv: Buffer[]): void {
  subscribeTo(SubscriptionKind.Channel, ctx, argv);
}

function psubscribe(ctx: ExecContext, argv: Buffer[]): void {
  subscribeTo(SubscriptionKind.Pattern, ctx, argv);
}

/** SSUBSCRIBE: unlike SUBSCRIBE, refused inside MULTI (Redis: a DENY BLOCKING client). */
function ssubscribe(ctx: ExecContext, argv: Buffer[]): void {
  if (!ctx.canBlock) {
    ctx.reply.error("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
    return;
  }
  subscribeTo(SubscriptionKind.Shard, ctx, argv);
}

function unsubscribe(ctx: ExecContext, argv: Buffer[]): void {
  unsubscribeFrom(SubscriptionKind.Channel, ctx, argv);
}

function punsubscribe(ctx: ExecContext, argv: Buffer[]): void {
  unsubscribeFrom(SubscriptionKind.Pattern, ctx, argv);
}

function sunsubscribe(ctx: ExecContext, argv: Buffer[]): void {
  unsubscribeFrom(SubscriptionKind.Shard, ctx, argv);
}

/**
 * PUBLISH on one thread: delivers to its local subscribers and replies their number (merged
 * with 'sum' over the threads). Keyspace events reach other threads as this command too.
 */
function publish(ctx: ExecContext, argv: Buffer[]): void {
  ctx.reply.int(ctx.shard.pubsub.publish(argv[1], argv[2], false));
}

function spublish(ctx: ExecContext, argv: Buffer[]): void {
  ctx.reply.int(ctx.shard.pubsub.publish(argv[1], argv[2], true));
}

// ---- PUBSUB ---------------------------------------------------------------

function channelList(kind: SubscriptionKind, ctx: ExecContext, argv: Buffer[]): void {
  if (argv.length > 3) {
    ctx.reply.error(subcommandSyntaxError('PUBSUB', argv[1]));
    return;
  }
  ctx.reply.bulkArray(ctx.shard.pubsub.names(kind, argv.length === 3 ? argv[2] : null));
}

function subscriberCounts(kind: SubscriptionKind, ctx: ExecContext, argv: Buffer[]): void {
  const r = ctx.reply;
  r.array((argv.length - 2) * 2);
  for (let i = 2; i < argv.length; i++) {
    r.bulk(argv[i]);
    r.int(ctx.shard.pubsub.subscriberCount(kind, argv[i]));
  }
}

function listPatterns(ctx: ExecContext): void {
  ctx.reply.bulkArray(ctx.shard.pubsub.names(SubscriptionKind.Pattern, null));
}

/** Runs argv on every thread; resolves with their replies, or null after replying the first error. */
async function everyThread(tx: ShardTx, argv: Buffer[], reply: ReplyWriter): Promise<Buffer[] | null> {
  const replies = await Promise.all(Array.from({ length: tx.shardCount }, (_, s) => tx.exec(s, argv)));
  const err = replies.find(isError);
  if (err === undefined) return replies;
  reply.raw(err);
  return null;
}

/** The union of the threads' name lists (a channel may have subscribers on several threads). */
async function unionOfThreads(tx: ShardTx, argv: Buffer[], reply: ReplyWriter): Promise<void> {
  const replies = await everyThread(tx, argv, reply);
  if (replies === null) return;
  const seen = new Set<string>();
  const names: Buffer[] = [];
  for (const r of replies) {
    for (const element of arrayElements(r)) {
      const key = element.latin1Slice(0, element.length);
      if (seen.has(key)) continue;
      seen.add(key);
      names.push(element);
    }
  }
  reply.array(names.length);
  for (const name of names) reply.raw(name);
}

/** NUMSUB/SHARDNUMSUB: per channel, the sum of the threads' counts. */
async function sumOfThreads(tx: ShardTx, argv: Buffer[], reply: ReplyWriter): Promise<void> {
  const replies = await everyThread(tx, argv, reply);
  if (replies === null) return;
  const perThread = replies.map(arrayElements);
  const pairs = perThread[0];
  reply.array(pairs.length);
  for (let i = 0; i < pairs.length; i += 2) {
    reply.raw(pairs[i]);
    let n = 0;
    for (const elements of perThread) n += integerOf(elements[i + 1]);
    reply.int(n);
  }
}

const PATTERNS = [Buffer.from('__pubsub-patterns')];

/** NUMPAT counts distinct patterns over all threads. */
async function patternsOfThreads(tx: ShardTx, _argv: Buffer[], reply: ReplyWriter): Promise<void> {
  const replies = await everyThread(tx, PATTERNS, reply);
  if (replies === null) return;
  const seen = new Set<string>();
  for (const r of replies) for (const element of arrayElements(r)) seen.add(element.latin1Slice(0, element.length));
  reply.int(seen.size);
}

const PUBSUB_HELP = [
  'CHANNELS [<pattern>]',
  "    Return the currently active channels matching a <pattern> (default: '*').",
  'NUMPAT',
  '    Return number of subscriptions to patterns.',
  'NUMSUB [<channel> ...]',
  '    Return the number of subscribers for the specified channels, excluding',
  '    pattern subscriptions(default: no channels).',
  'SHARDCHANNELS [<pattern>]',
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  'SHARDNUMSUB [<shardchannel> ...]',
  '    Return the number of subscribers for the specified shard level channel(s)',
];

// ---- declarations -----------------------------------------------------------

const SUBSCRIBING = { flags: ['pubsub', 'noscript', 'loading', 'stale'], acl: ['pubsub', 'slow'], group: 'pubsub', route: 'client' } as const;
const PUBLISHING = { flags: ['pubsub', 'loading', 'stale', 'fast'], acl: ['pubsub', 'fast'], group: 'pubsub', route: 'threads', merge: 'sum' } as const;
const INTROSPECTION = { flags: ['pubsub', 'loading', 'stale'], keys: [0, 0, 0], acl: ['pubsub', 'slow'], group: 'pubsub', route: 'threads' } as const;

/** Shard channels are declared as keys (for cluster slot routing) that are not keys. */
function shardChannelSpec(lastkey: number): KeySpec[] {
  return [{ flags: ['not_key'], begin: { index: 1 }, find: { lastkey, keystep: 1, limit: 0 } }];
}

export const pubsubCommands: CommandDecl[] = [
  command({ name: 'subscribe', arity: -2, ...SUBSCRIBING, keys: [0, 0, 0], summary: 'Listen for messages published to the given channels', since: '2.0.0', complexity: 'O(N) where N is the number of channels to subscribe to.', handler: subscribe }),
  command({ name: 'unsubscribe', arity: -1, ...SUBSCRIBING, keys: [0, 0, 0], summary: 'Stop listening for messages posted to the given channels', since: '2.0.0', complexity: 'O(N) where N is the number of clients already subscribed to a channel.', handler: unsubscribe }),
  command({ name: 'psubscribe', arity: -2, ...SUBSCRIBING, keys: [0, 0, 0], summary: 'Listen for messages published to channels matching the given patterns', since: '2.0.0', complexity: 'O(N) where N is the number of patterns the client is already subscribed to.', handler: psubscribe }),
  command({ name: 'punsubscribe', arity: -1, ...SUBSCRIBING, keys: [0, 0, 0], summary: 'Stop listening for messages posted to channels matching the given patterns', since: '2.0.0', complexity: 'O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).', handler: punsubscribe }),
  command({ name: 'ssubscribe', arity: -2, ...SUBSCRIBING, keys: [1, -1, 1], keySpecs: shardChannelSpec(-1), summary: 'Listen for messages published to the given shard channels', since: '7.0.0', complexity: 'O(N) where N is the number of shard channels to subscribe to.', handler: ssubscribe }),
  command({ name: 'sunsubscribe', arity: -1, ...SUBSCRIBING, keys: [1, -1, 1], keySpecs: shardChannelSpec(-1), summary: 'Stop listening for messages posted to the given shard channels', since: '7.0.0', complexity: 'O(N) where N is the number of clients already subscribed to a shard channel.', handler: sunsubscribe }),
  command({ name: 'publish', arity: 3, ...PUBLISHING, keys: [0, 0, 0], summary: 'Post a message to a channel', since: '2.0.0', complexity: 'O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).', handler: publish }),
  command({ name: 'spublish', arity: 3, ...PUBLISHING, keys: [1, 1, 1], keySpecs: shardChannelSpec(0), summary: 'Post a message to a shard channel', since: '7.0.0', complexity: 'O(N) where N is the number of clients subscribed to the receiving shard channel.', handler: spublish }),
  command({
    name: 'pubsub', arity: -2, flags: [], keys: [0, 0, 0], acl: ['slow'], group: 'pubsub', summary: 'A container for Pub/Sub commands', since: '2.8.0', complexity: 'Depends on subcommand.',
    subcommands: [
      command({ name: 'numsub', arity: -2, ...INTROSPECTION, summary: 'Get the count of subscribers for channels', since: '2.8.0', complexity: 'O(N) for the NUMSUB subcommand, where N is the number of requested channels', handler: (ctx, argv) => subscriberCounts(SubscriptionKind.Channel, ctx, argv), coordinate: sumOfThreads }),
      command({ name: 'channels', arity: -2, ...INTROSPECTION, summary: 'List active channels', since: '2.8.0', complexity: 'O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)', handler: (ctx, argv) => channelList(SubscriptionKind.Channel, ctx, argv), coordinate: unionOfThreads }),
      command({ name: 'help', arity: 2, flags: ['loading', 'stale'], keys: [0, 0, 0], acl: ['slow'], group: 'pubsub', summary: 'Show helpful text about the different subcommands', since: '6.2.0', complexity: 'O(1)', handler: (ctx) => replyHelp(ctx.reply, 'PUBSUB', PUBSUB_HELP) }),
      command({ name: 'numpat', arity: 2, ...INTROSPECTION, summary: 'Get the count of unique patterns pattern subscriptions', since: '2.8.0', complexity: 'O(1)', handler: (ctx) => ctx.reply.int(ctx.shard.pubsub.patternCount), coordinate: patternsOfThreads }),
      command({ name: 'shardnumsub', arity: -2, ...INTROSPECTION, summary: 'Get the count of subscribers for shard channels', since: '7.0.0', complexity: 'O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels', handler: (ctx, argv) => subscriberCounts(SubscriptionKind.Shard, ctx, argv), coordinate: sumOfThreads }),
      command({ name: 'shardchannels', arity: -2, ...INTROSPECTION, summary: 'List active shard channels', since: '7.0.0', complexity: 'O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).', handler: (ctx, argv) => channelList(SubscriptionKind.Shard, ctx, argv), coordinate: unionOfThreads }),
    ],
  }),
  command({ name: '__pubsub-patterns', arity: 1, flags: [], keys: [0, 0, 0], acl: [], group: 'pubsub', summary: "Internal: this thread's subscribed patterns", since: '7.0.0', internal: true, handler: listPatterns }),
];
