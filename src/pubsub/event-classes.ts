// Keyspace notification classes (notify-keyspace-events), with Redis 7.0's
// letters and bit values. Kept free of imports so config.ts can use it.

export const enum EventClass {
  Keyspace = 1 << 0, // K
  Keyevent = 1 << 1, // E
  Generic = 1 << 2, // g
  String = 1 << 3, // $
  List = 1 << 4, // l
  Set = 1 << 5, // s
  Hash = 1 << 6, // h
  Zset = 1 << 7, // z
  Expired = 1 << 8, // x
  Evicted = 1 << 9, // e
  Stream = 1 << 10, // t
  KeyMiss = 1 << 11, // m (not part of A)
  Module = 1 << 13, // d
  New = 1 << 14, // n (not part of A)
}

/** What 'A' stands for. */
const ALL = EventClass.Generic | EventClass.String | EventClass.List | EventClass.Set | EventClass.Hash | EventClass.Zset |
  EventClass.Expired | EventClass.Evicted | EventClass.Stream | EventClass.Module;

const CLASS_OF_LETTER: Record<string, number> = {
  A: ALL, g: EventClass.Generic, $: EventClass.String, l: EventClass.List, s: EventClass.Set, h: EventClass.Hash,
  z: EventClass.Zset, x: EventClass.Expired, e: EventClass.Evicted, K: EventClass.Keyspace, E: EventClass.Keyevent,
  t: EventClass.Stream, m: EventClass.KeyMiss, d: EventClass.Module, n: EventClass.New,
};

/** Class letters in the order Redis prints them when not all of 'A' is set. */
const TYPE_LETTERS: ReadonlyArray<[string, number]> = [
  ['g', EventClass.Generic], ['$', EventClass.String], ['l', EventClass.List], ['s', EventClass.Set], ['h', EventClass.Hash],
  ['z', EventClass.Zset], ['x', EventClass.Expired], ['e', EventClass.Evicted], ['t', EventClass.Stream],
  ['d', EventClass.Module], ['n', EventClass.New],
];

export const INVALID_EVENT_CLASS = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.";

/** The classes a notify-keyspace-events string selects, or -1 for an unknown letter. */
export function keyspaceEventsFromString(classes: string): number {
  let flags = 0;
  for (const letter of classes) {
    const cls = CLASS_OF_LETTER[letter];
    if (cls === undefined) return -1;
    flags |= cls;
  }
  return flags;
}

/**
 * The canonical spelling of a set of classes, as CONFIG GET shows it. Like Redis, 'A'
 * swallows the letters printed before K/E (so 'n' is not shown next to 'A').
 */
export function keyspaceEventsToString(flags: number): string {
  let out = '';
  if ((flags & ALL) === ALL) {
    out = 'A';
  } else {
    for (const [letter, cls] of TYPE_LETTERS) if (flags & cls) out += letter;
  }
  if (flags & EventClass.Keyspace) out += 'K';
  if (flags & EventClass.Keyevent) out += 'E';
  if (flags & EventClass.KeyMiss) out += 'm';
  return out;
}
