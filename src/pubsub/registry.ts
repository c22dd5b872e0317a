// This thread's Pub/Sub state: which of its clients listen to which channels,
// patterns and shard channels, and delivery of published messages to them.
// Every thread keeps only its own clients; PUBLISH runs on every thread (route
// 'threads') and keyspace events are broadcast to the other threads, so each
// thread delivers to its local subscribers. Channel names and payloads stay
// bytes; latin1 strings are used only as Map keys.

import type { Client } from '../net/client';
import { ClientFlag } from '../net/client';
import type { ReplyWriter } from '../protocol/reply';
import type { ShardLinks } from '../dispatch/links';
import { globMatch } from '../util/glob';

export const enum SubscriptionKind { Channel = 0, Pattern = 1, Shard = 2 }

/** The clients subscribed to one channel or pattern, in subscription order. */
interface Subscribers {
  name: Buffer;
  clients: Set<Client>;
}

/** What one client listens to, per kind, by latin1 name (insertion-ordered like Redis's pattern list). */
type ClientSubscriptions = [Map<string, Buffer>, Map<string, Buffer>, Map<string, Buffer>];

const word = (s: string) => Buffer.from(s, 'latin1');
const SUBSCRIBED = [word('subscribe'), word('psubscribe'), word('ssubscribe')];
const UNSUBSCRIBED = [word('unsubscribe'), word('punsubscribe'), word('sunsubscribe')];
const MESSAGE = word('message');
const PMESSAGE = word('pmessage');
const SMESSAGE = word('smessage');
/** Sent to the other threads, PUBLISH delivers to their local subscribers (it runs on one thread per request). */
const PUBLISH = word('publish');

function keyOf(name: Buffer): string {
  return name.latin1Slice(0, name.length);
}

export class PubSubRegistry {
  /** Channel, pattern and shard-channel tables, indexed by SubscriptionKind. */
  private readonly tables: [Map<string, Subscribers>, Map<string, Subscribers>, Map<string, Subscribers>] = [new Map(), new Map(), new Map()];
  private readonly byClient = new Map<Client, ClientSubscriptions>();
  /** Subscribers that received messages this turn and still need a socket write. */
  private readonly unflushed = new Set<Client>();
  private flushScheduled = false;
  /** Links to the other threads (null on a one-thread server), for messages published everywhere. */
  links: ShardLinks | null = null;

  /**
   * Subscribes a client and writes the confirmation [subscribe, name, count] to `reply`.
   * Returns false when it was already subscribed.
   */
  subscribe(client: Client, kind: SubscriptionKind, name: Buffer, reply: ReplyWriter): boolean {
    let mine = this.byClient.get(client);
    if (mine === undefined) {
      mine = [new Map(), new Map(), new Map()];
      this.byClient.set(client, mine);
    }
    const key = keyOf(name);
    const added = !mine[kind].has(key);
    if (added) {
      const copy = Buffer.from(name); // argv is a view into socket memory
      mine[kind].set(key, copy);
      const table = this.tables[kind];
      let subs = table.get(key);
      if (subs === undefined) {
        subs = { name: copy, clients: new Set() };
        table.set(key, subs);
      }
      subs.clients.add(client);
      client.subscriptionCount++;
    }
    confirm(pushTarget(client, reply), SUBSCRIBED[kind], name, countFor(mine, kind));
    return added;
  }

  /** Unsubscribes a client; with a reply, writes [unsubscribe, name, count]. Returns false when it was not subscribed. */
  unsubscribe(client: Client, kind: SubscriptionKind, name: Buffer, reply: ReplyWriter | null): boolean {
    const mine = this.byClient.get(client);
    const key = keyOf(name);
    const removed = mine !== undefined && mine[kind].delete(key);
    if (removed) {
      const table = this.tables[kind];
      const subs = table.get(key)!;
      subs.clients.delete(client);
      if (subs.clients.size === 0) table.delete(key);
      client.subscriptionCount--;
      if (client.subscriptionCount === 0) this.byClient.delete(client);
    }
    if (reply !== null) confirm(pushTarget(client, reply), UNSUBSCRIBED[kind], name, mine === undefined ? 0 : countFor(mine, kind));
    return removed;
  }

  /**
   * Unsubscribes a client from everything of one kind, confirming each; with nothing to
   * drop it still confirms once, with a null name. Returns how many were dropped.
   */
  unsubscribeAll(client: Client, kind: SubscriptionKind, reply: ReplyWriter | null): number {
    const mine = this.byClient.get(client);
    let count = 0;
    if (mine !== undefined) {
      for (const name of [...mine[kind].values()]) if (this.unsubscribe(client, kind, name, reply)) count++;
    }
    if (reply !== null && count === 0) confirm(pushTarget(client, reply), UNSUBSCRIBED[kind], null, mine === undefined ? 0 : countFor(mine, kind));
    return count;
  }

  /** Forgets every subscription of a client, without replies (RESET, disconnect). */
  dropClient(client: Client): void {
    if (!this.byClient.has(client)) return;
    for (const kind of [SubscriptionKind.Channel, SubscriptionKind.Pattern, SubscriptionKind.Shard]) this.unsubscribeAll(client, kind, null);
  }

  /** A client's subscription counts: [channels, patterns, shard channels]. */
  countsOf(client: Client): [number, number, number] {
    const mine = this.byClient.get(client);
    return mine === undefined ? [0, 0, 0] : [mine[0].size, mine[1].size, mine[2].size];
  }

  /** Delivers a message to this thread's subscribers; returns how many received it. */
  publish(channel: Buffer, message: Buffer, sharded: boolean): number {
    let receivers = 0;
    const subs = this.tables[sharded ? SubscriptionKind.Shard : SubscriptionKind.Channel].get(keyOf(channel));
    if (subs !== undefined) {
      const kindWord = sharded ? SMESSAGE : MESSAGE;
      for (const client of subs.clients) {
        if (!this.writable(client)) continue;
        const r = client.pushReply;
        r.push(3);
        r.bulk(kindWord);
        r.bulk(channel);
        r.bulk(message);
        receivers++;
      }
    }
    if (!sharded) {
      for (const pattern of this.tables[SubscriptionKind.Pattern].values()) {
        if (!globMatch(pattern.name, channel)) continue;
        for (const client of pattern.clients) {
          if (!this.writable(client)) continue;
          const r = client.pushReply;
          r.push(4);
          r.bulk(PMESSAGE);
          r.bulk(pattern.name);
          r.bulk(channel);
          r.bulk(message);
          receivers++;
        }
      }
    }
    return receivers;
  }

  /** Publishes here and, fire-and-forget, on every other thread (keyspace events); FIFO per peer. */
  publishEverywhere(channel: Buffer, message: Buffer): void {
    this.publish(channel, message, false);
    this.links?.broadcast([PUBLISH, channel, message]);
  }

  /** Names with at least one subscriber on this thread, optionally matching a glob pattern. */
  names(kind: SubscriptionKind, pattern: Buffer | null): Buffer[] {
    const out: Buffer[] = [];
    for (const subs of this.tables[kind].values()) if (pattern === null || globMatch(pattern, subs.name)) out.push(subs.name);
    return out;
  }

  /** Subscribers of one channel (or shard channel) on this thread. */
  subscriberCount(kind: SubscriptionKind, name: Buffer): number {
    return this.tables[kind].get(keyOf(name))?.clients.size ?? 0;
  }

  /** Distinct patterns subscribed on this thread. */
  get patternCount(): number {
    return this.tables[SubscriptionKind.Pattern].size;
  }

  /** Marks a live subscriber for this turn's flush; false when it is gone. */
  private writable(client: Client): boolean {
    if (client.flags & ClientFlag.Closed) return false;
    this.unflushed.add(client);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushDelivered);
    }
    return true;
  }

  private readonly flushDelivered = (): void => {
    this.flushScheduled = false;
    for (const client of this.unflushed) client.flush();
    this.unflushed.clear();
  };
}

/** Subscription count a confirmation reports: channels plus patterns, or shard channels alone (as Redis). */
function countFor(mine: ClientSubscriptions, kind: SubscriptionKind): number {
  return kind === SubscriptionKind.Shard ? mine[2].size : mine[0].size + mine[1].size;
}

/** A confirmation is a push: written to the client's own output even while CLIENT REPLY OFF mutes its replies. */
function pushTarget(client: Client, reply: ReplyWriter): ReplyWriter {
  return reply === client.reply ? client.pushReply : reply;
}

function confirm(reply: ReplyWriter, kindWord: Buffer, name: Buffer | null, count: number): void {
  reply.push(3);
  reply.bulk(kindWord);
  if (name === null) reply.nil();
  else reply.bulk(name);
  reply.int(count);
}
