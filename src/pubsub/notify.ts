// Keyspace notifications: what Redis's notifyKeyspaceEvent does. A command that
// changes a key calls notifyKeyspaceEvent on the shard owning the key; when the
// event's class is enabled (notify-keyspace-events) the event is published on
// __keyspace@<db>__:<key> and/or __keyevent@<db>__:<event>, to this thread's
// subscribers at once and to the other threads' through the links.

import type { ExecContext } from '../dispatch/command';
import { config } from '../config';
import { EventClass, keyspaceEventsFromString } from './event-classes';
import type { PubSubRegistry } from './registry';

export { EventClass } from './event-classes';

/** The parsed setting, re-parsed only when CONFIG SET changed it. */
let cachedSetting = '';
let cachedClasses = 0;

function enabledClasses(): number {
  const setting = config.string('notify-keyspace-events');
  if (setting !== cachedSetting) {
    cachedSetting = setting;
    cachedClasses = keyspaceEventsFromString(setting);
  }
  return cachedClasses;
}

/** True when events of this class are published (for callers that must do work to produce one). */
export function eventClassEnabled(type: EventClass): boolean {
  return (enabledClasses() & type) !== 0;
}

/** Publishes event `event` of class `type` for `key` of the command's database. */
export function notifyKeyspaceEvent(ctx: ExecContext, type: EventClass, event: string, key: Buffer): void {
  publishKeyspaceEvent(ctx.shard.pubsub, ctx.dbIndex, type, event, key);
}

/** notifyKeyspaceEvent outside a command (expiry). */
export function publishKeyspaceEvent(pubsub: PubSubRegistry, dbIndex: number, type: EventClass, event: string, key: Buffer): void {
  const classes = enabledClasses();
  if ((classes & type) === 0) return;
  const eventBytes = eventBytesOf(event);
  if (classes & EventClass.Keyspace) pubsub.publishEverywhere(channelOf('__keyspace@', dbIndex, key), eventBytes);
  if (classes & EventClass.Keyevent) pubsub.publishEverywhere(channelOf('__keyevent@', dbIndex, eventBytes), key);
}

const eventNames = new Map<string, Buffer>();

function eventBytesOf(event: string): Buffer {
  let bytes = eventNames.get(event);
  if (bytes === undefined) {
    bytes = Buffer.from(event, 'latin1');
    eventNames.set(event, bytes);
  }
  return bytes;
}

/** `<prefix><db>__:<suffix>` as bytes. */
function channelOf(prefix: string, dbIndex: number, suffix: Uint8Array): Buffer {
  const head = `${prefix}${dbIndex}__:`;
  const out = Buffer.allocUnsafe(head.length + suffix.length);
  out.latin1Write(head, 0);
  out.set(suffix, head.length);
  return out;
}
