// CLIENT TRACKING, CACHING, GETREDIR and TRACKINGINFO (Redis networking.c),
// and the internal commands that carry client-side caching between threads
// (see src/tracking/tracking.ts). The CLIENT subcommands are declared with the
// others in ./client.ts.
//
// On a multi-shard server CLIENT TRACKING is coordinated: the redirect client
// may live on any thread, and BCAST prefixes must have reached every shard
// before OK is sent, or a write right after it could go unnoticed.

import { command, type CommandDecl, type ExecContext, type ShardTx } from '../../dispatch/command';
import { integerOf, isError } from '../../dispatch/resp-scan';
import type { Client } from '../../net/client';
import type { ReplyWriter } from '../../protocol/reply';
import { ClientTracking, TrackingFlag } from '../../tracking/client-state';
import { BROADCAST_COMMAND, BROKEN_COMMAND, INVALIDATE_COMMAND, PREFIX_ADD, PREFIX_COMMAND, REDIRECT_COMMAND, idArg, idOf } from '../../tracking/tracking';
import { isKeyword } from '../../util/keyword';
import { parseSafeInteger } from '../../util/number';
import { NOT_INTEGER, SYNTAX } from '../errors';
import { onEveryShard } from './client';

/** CLIENT TRACKING's arguments. */
interface TrackingRequest {
  on: boolean;
  off: boolean;
  options: number;
  redirect: number;
  /** REDIRECT was read: Redis checks that client exists right then, before any later error. */
  redirectGiven: boolean;
  prefixes: Buffer[];
  /** The option error that stopped the parsing, if any. */
  error: string | null;
}

function parseTracking(argv: Buffer[]): TrackingRequest {
  const req: TrackingRequest = { on: isKeyword(argv[2], 'ON'), off: isKeyword(argv[2], 'OFF'), options: 0, redirect: 0, redirectGiven: false, prefixes: [], error: null };
  for (let j = 3; j < argv.length; j++) {
    const hasValue = j < argv.length - 1;
    const opt = argv[j];
    if (isKeyword(opt, 'REDIRECT') && hasValue) {
      j++;
      if (req.redirect !== 0) {
        req.error = 'ERR A client can only redirect to a single other client';
        break;
      }
      const id = parseSafeInteger(argv[j]);
      if (typeof id !== 'number') {
        req.error = NOT_INTEGER;
        break;
      }
      req.redirect = id;
      req.redirectGiven = true;
    } else if (isKeyword(opt, 'BCAST')) {
      req.options |= TrackingFlag.Bcast;
    } else if (isKeyword(opt, 'OPTIN')) {
      req.options |= TrackingFlag.OptIn;
    } else if (isKeyword(opt, 'OPTOUT')) {
      req.options |= TrackingFlag.OptOut;
    } else if (isKeyword(opt, 'NOLOOP')) {
      req.options |= TrackingFlag.NoLoop;
    } else if (isKeyword(opt, 'PREFIX') && hasValue) {
      req.prefixes.push(argv[++j]);
    } else {
      req.error = SYNTAX;
      break;
    }
  }
  return req;
}

/** A prefix as Redis's %s prints it in an error: up to a NUL byte, CR and LF as spaces. */
function errorText(prefix: Buffer): string {
  const nul = prefix.indexOf(0);
  return prefix.latin1Slice(0, nul < 0 ? prefix.length : nul).replace(/[\r\n]/g, ' ');
}

/** Two prefixes overlap when one starts the other: both would invalidate the same keys. */
function overlap(a: Buffer, b: Buffer): boolean {
  const n = Math.min(a.length, b.length);
  return a.compare(b, 0, n, 0, n) === 0;
}

/** Redis's checkPrefixCollisionsOrReply; existing prefixes are seen in sorted order, as in its radix tree. */
function prefixCollision(state: ClientTracking | null, given: Buffer[]): string | null {
  const existing = state === null ? [] : [...state.prefixes.values()].sort(Buffer.compare);
  for (let i = 0; i < given.length; i++) {
    for (const p of existing) {
      if (overlap(p, given[i])) return `ERR Prefix '${errorText(given[i])}' overlaps with an existing prefix '${errorText(p)}'. Prefixes for a single client must not overlap.`;
    }
    for (let j = i + 1; j < given.length; j++) {
      if (overlap(given[i], given[j])) return `ERR Prefix '${errorText(given[i])}' overlaps with another provided prefix '${errorText(given[j])}'. Prefixes for a single client must not overlap.`;
    }
  }
  return null;
}

/** The error CLIENT TRACKING replies, in Redis's order of checks, or null when it can be applied. */
function trackingError(state: ClientTracking | null, req: TrackingRequest, redirectExists: boolean): string | null {
  if (req.redirectGiven && !redirectExists) return 'ERR The client ID you want redirect to does not exist';
  if (req.error !== null) return req.error;
  if (req.off) return null;
  if (!req.on) return SYNTAX;
  const options = req.options;
  const flags = state?.flags ?? 0;
  if (!(options & TrackingFlag.Bcast) && req.prefixes.length > 0) return 'ERR PREFIX option requires BCAST mode to be enabled';
  if (state !== null && (flags & TrackingFlag.Bcast) !== (options & TrackingFlag.Bcast)) {
    return "ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.";
  }
  if (options & TrackingFlag.Bcast && options & (TrackingFlag.OptIn | TrackingFlag.OptOut)) return 'ERR OPTIN and OPTOUT are not compatible with BCAST';
  if (options & TrackingFlag.OptIn && options & TrackingFlag.OptOut) return "ERR You can't specify both OPTIN mode and OPTOUT mode";
  if ((options & TrackingFlag.OptIn && flags & TrackingFlag.OptOut) || (options & TrackingFlag.OptOut && flags & TrackingFlag.OptIn)) {
    return "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.";
  }
  return options & TrackingFlag.Bcast ? prefixCollision(state, req.prefixes) : null;
}

/**
 * Checks and applies CLIENT TRACKING on the client's own thread; `redirectThread` is where the
 * redirect client lives (-1: nowhere). Prefixes new to this thread are sent to the other shards.
 */
function applyTracking(ctx: ExecContext, argv: Buffer[], redirectThread: number): void {
  const client = ctx.client!;
  const tracking = ctx.dispatcher.tracking;
  const req = parseTracking(argv);
  const error = trackingError(client.tracking, req, redirectThread >= 0);
  if (error !== null) {
    ctx.reply.error(error);
    return;
  }
  if (req.off) {
    tracking.disable(client);
  } else {
    const fresh = tracking.enable(client, req.options, req.redirect, redirectThread, req.prefixes);
    if (fresh.length > 0) ctx.dispatcher.links?.broadcast([PREFIX_COMMAND, PREFIX_ADD, idArg(ctx.shard.index), ...fresh]);
  }
  ctx.reply.ok();
}

/** CLIENT TRACKING on a one-thread server. */
function clientTracking(ctx: ExecContext, argv: Buffer[]): void {
  const req = parseTracking(argv);
  applyTracking(ctx, argv, req.redirectGiven && ctx.dispatcher.tracking.liveClient(req.redirect) !== null ? ctx.shard.index : -1);
}

/** CLIENT TRACKING on a multi-shard server: finds the redirect client's thread, applies, then waits until every shard knows the prefixes. */
async function clientTrackingAcross(tx: ShardTx, argv: Buffer[], reply: ReplyWriter): Promise<void> {
  const req = parseTracking(argv);
  let redirectThread = -1;
  if (req.redirectGiven) redirectThread = (await onEveryShard(tx, [HAS_CLIENT, idArg(req.redirect)])).findIndex((r) => integerOf(r) === 1);
  const result = await tx.run([APPLY, idArg(redirectThread), ...argv]);
  // The prefixes went out before this round trip on the same rings: every shard has them now.
  if (req.on && !isError(result)) await onEveryShard(tx, [HAS_CLIENT, idArg(0)]);
  reply.raw(result);
}

function clientCaching(ctx: ExecContext, argv: Buffer[]): void {
  const state = ctx.client!.tracking;
  if (state === null) {
    ctx.reply.error('ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled');
  } else if (isKeyword(argv[2], 'YES')) {
    if (state.flags & TrackingFlag.OptIn) cachingGiven(ctx, state);
    else ctx.reply.error('ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.');
  } else if (isKeyword(argv[2], 'NO')) {
    if (state.flags & TrackingFlag.OptOut) cachingGiven(ctx, state);
    else ctx.reply.error('ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.');
  } else {
    ctx.reply.error(SYNTAX);
  }
}

function cachingGiven(ctx: ExecContext, state: ClientTracking): void {
  state.flags |= TrackingFlag.Caching;
  ctx.reply.ok();
}

/** The redirect client id, 0 without redirection, -1 when tracking is off. */
function redirectOf(client: Client): number {
  return client.tracking === null ? -1 : client.tracking.redirect;
}

function clientTrackingInfo(ctx: ExecContext): void {
  const r = ctx.reply;
  const state = ctx.client!.tracking;
  const flags = trackingFlagNames(state);
  r.map(3);
  r.bulkString('flags');
  r.set(flags.length);
  for (const f of flags) r.bulkString(f);
  r.bulkString('redirect');
  r.int(redirectOf(ctx.client!));
  r.bulkString('prefixes');
  r.bulkArray(state === null ? [] : [...state.prefixes.values()].sort(Buffer.compare));
}

function trackingFlagNames(state: ClientTracking | null): string[] {
  if (state === null) return ['off'];
  const f = state.flags;
  const names = ['on'];
  if (f & TrackingFlag.Bcast) names.push('bcast');
  if (f & TrackingFlag.OptIn) names.push('optin', ...(f & TrackingFlag.Caching ? ['caching-yes'] : []));
  if (f & TrackingFlag.OptOut) names.push('optout', ...(f & TrackingFlag.Caching ? ['caching-no'] : []));
  if (f & TrackingFlag.NoLoop) names.push('noloop');
  if (f & TrackingFlag.BrokenRedirect) names.push('broken_redirect');
  return names;
}

// ---- internal commands ----------------------------------------------------------------

const APPLY = Buffer.from('_tracking-apply');
const HAS_CLIENT = Buffer.from('_tracking-client');

const INTERNAL = { flags: [], keys: [0, 0, 0], acl: [], group: 'connection', since: '7.0.0', internal: true } as const;
const CONNECTION = { keys: [0, 0, 0], group: 'connection', flags: ['noscript', 'loading', 'stale'], acl: ['slow', 'connection'], complexity: 'O(1)' } as const;

/** CLIENT's client-side caching subcommands (listed with the others in ./client.ts). */
export const trackingSubcommands: CommandDecl[] = [
  command({
    name: 'tracking', arity: -3, ...CONNECTION, summary: 'Enable or disable server assisted client side caching support', since: '6.0.0',
    complexity: 'O(1). Some options may introduce additional complexity.', route: 'threads', handler: clientTracking, coordinate: clientTrackingAcross,
  }),
  command({ name: 'caching', arity: 3, ...CONNECTION, summary: 'Instruct the server about tracking or not keys in the next request', since: '6.0.0', handler: clientCaching }),
  command({ name: 'getredir', arity: 2, ...CONNECTION, summary: 'Get tracking notifications redirection client ID if any', since: '6.0.0', handler: (ctx) => ctx.reply.int(redirectOf(ctx.client!)) }),
  command({ name: 'trackinginfo', arity: 2, ...CONNECTION, summary: 'Return information about server assisted client side caching for the current connection', since: '6.2.0', handler: clientTrackingInfo }),
];

export const trackingCommands: CommandDecl[] = [
  command({
    name: latin(APPLY), arity: -5, ...INTERNAL, summary: "Internal: CLIENT TRACKING on the client's thread (argv: redirect thread, CLIENT TRACKING ...)",
    handler: (ctx, argv) => applyTracking(ctx, argv.slice(2), idOf(argv[1])),
  }),
  command({
    name: latin(HAS_CLIENT), arity: 2, ...INTERNAL, summary: 'Internal: 1 when a client with this id lives on this thread',
    handler: (ctx, argv) => ctx.reply.int(ctx.dispatcher.tracking.liveClient(idOf(argv[1])) === null ? 0 : 1),
  }),
  command({
    name: latin(INVALIDATE_COMMAND), arity: 4, ...INTERNAL, summary: 'Internal: a key read by a client of this thread changed (argv: current client, reader, key)',
    handler: (ctx, argv) => {
      ctx.dispatcher.tracking.invalidated(idOf(argv[2]), argv[3], idOf(argv[1]));
      ctx.reply.ok();
    },
  }),
  command({
    name: latin(BROADCAST_COMMAND), arity: -4, ...INTERNAL, summary: 'Internal: keys of a BCAST prefix changed (argv: prefix, u32 modifiers, keys)',
    handler: (ctx, argv) => {
      ctx.dispatcher.tracking.broadcastReceived(argv[1], argv[2], argv.slice(3));
      ctx.reply.ok();
    },
  }),
  command({
    name: latin(REDIRECT_COMMAND), arity: 5, ...INTERNAL, summary: 'Internal: an invalidation for a redirect client of this thread (argv: redirect, tracker, tracker thread, keys)',
    handler: (ctx, argv) => {
      ctx.dispatcher.tracking.redirected(idOf(argv[1]), idOf(argv[2]), idOf(argv[3]), argv[4]);
      ctx.reply.ok();
    },
  }),
  command({
    name: latin(BROKEN_COMMAND), arity: 3, ...INTERNAL, summary: 'Internal: the redirect client of a tracking client of this thread is gone (argv: tracker, redirect)',
    handler: (ctx, argv) => {
      ctx.dispatcher.tracking.redirectGone(idOf(argv[1]), idOf(argv[2]));
      ctx.reply.ok();
    },
  }),
  command({
    name: latin(PREFIX_COMMAND), arity: -4, ...INTERNAL, summary: "Internal: a thread's clients start (add) or stop (del) listening to BCAST prefixes",
    handler: (ctx, argv) => {
      const add = isKeyword(argv[1], 'ADD');
      const thread = idOf(argv[2]);
      for (let i = 3; i < argv.length; i++) ctx.dispatcher.tracking.prefixThread(add, thread, argv[i]);
      ctx.reply.ok();
    },
  }),
];

function latin(name: Buffer): string {
  return name.latin1Slice(0, name.length);
}
