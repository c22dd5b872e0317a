// SORT and SORT_RO (Redis sort.c) over lists, sets and sorted sets.
//
// A SortJob holds one call: its options, the elements to sort (the "vector")
// and the output window. The steps that read other keys (BY weights, GET
// values) are expressed as lists of PatternRefs that the caller resolves: on
// the key's own shard by local lookups, or, when the call runs as a
// multi-shard coordinator (BY/GET patterns can name keys of any shard, and
// STORE may target another shard), by _sort-lookup on each shard while every
// shard is frozen. Parsing, loading, sorting and output are the same code in
// both paths.

import { command, type ExecContext, type KeySpec, type ShardTx } from '../dispatch/command';
import { arrayElements, bulkOf, isError } from '../dispatch/resp-scan';
import type { ReplyWriter } from '../protocol/reply';
import { config } from '../config';
import type { Keyspace } from '../store/keyspace';
import { ListCursor, ListEnd, Quicklist } from '../store/quicklist';
import { NO_EXPIRE, ValueType } from '../store/types';
import type { ZSet } from '../store/zset/zset';
import { parseFloat64, parseSafeInteger } from '../util/number';
import { partialSort } from '../util/pqsort';
import { NOT_INTEGER, SYNTAX, WRONGTYPE } from './errors';
import { hashGet, type HashValue } from './hashes';
import { lookupRead } from './lookup';
import { valueTypeOps } from './value-types';
import { isKeyword } from '../util/keyword';
import { EventClass, notifyKeyspaceEvent } from '../pubsub/notify';

const NOT_DOUBLE = "ERR One or more scores can't be converted into double";
const EMPTY = Buffer.alloc(0);
const SORT_SOURCE = Buffer.from('_sort-source');
const SORT_LOOKUP = Buffer.from('_sort-lookup');
const SORT_STORE = Buffer.from('_sort-store');

/** A key named by a BY/GET pattern for one element, and the hash field when the pattern has "->field". */
interface PatternRef {
  key: Buffer;
  field: Buffer | null;
}

/** Length of a pattern as a C string: Redis searches for '*' and "->" with strchr/strstr. */
function cLength(pattern: Buffer): number {
  const nul = pattern.indexOf(0);
  return nul < 0 ? pattern.length : nul;
}

function hasStar(pattern: Buffer): boolean {
  const star = pattern.indexOf(0x2a);
  return star >= 0 && star < cLength(pattern);
}

/** GET # returns the element itself. */
function isSelf(pattern: Buffer): boolean {
  return pattern[0] === 0x23 && (pattern.length === 1 || pattern[1] === 0);
}

/**
 * The key (and field) pattern names for element (Redis lookupKeyByPattern): the
 * first '*' replaced by the element, "->field" after it selecting a hash field;
 * null when the pattern has no '*'.
 */
function patternRef(pattern: Buffer, element: Buffer): PatternRef | null {
  const end = cLength(pattern);
  const star = pattern.indexOf(0x2a);
  if (star < 0 || star >= end) return null;
  const arrow = pattern.indexOf('->', star + 1, 'latin1');
  const withField = arrow >= 0 && arrow + 2 < end;
  const key = Buffer.concat([pattern.subarray(0, star), element, pattern.subarray(star + 1, withField ? arrow : pattern.length)]);
  return { key, field: withField ? pattern.subarray(arrow + 2) : null };
}

/** The value a ref names on this shard (a copy): a string, or a hash field; null when missing or of another type. */
function lookupPattern(ctx: ExecContext, ref: PatternRef): Buffer | null {
  const h = lookupRead(ctx, ref.key);
  if (h < 0) return null;
  const type = ctx.db.type(h);
  if (ref.field !== null) {
    if (type !== ValueType.Hash) return null;
    const value = hashGet(ctx.db.objectValue<HashValue>(h), ref.field);
    return value === null ? null : Buffer.from(value);
  }
  return type === ValueType.String ? Buffer.from(ctx.db.stringValue(h)) : null;
}

function lookupLocally(ctx: ExecContext, refs: Array<PatternRef | null>): Array<Buffer | null> {
  return refs.map((ref) => (ref === null ? null : lookupPattern(ctx, ref)));
}

/**
 * A BY value as a number, as Redis reads it with strtod: leading spaces allowed,
 * the empty string is 0, the C string must be consumed entirely; NaN when it is
 * not a double (or over/underflows, ERANGE).
 */
function sortScore(value: Uint8Array): number {
  let end = value.indexOf(0);
  if (end < 0) end = value.length;
  if (end === 0) return 0;
  let start = 0;
  while (start < end && (value[start] === 0x20 || (value[start] >= 0x09 && value[start] <= 0x0d))) start++;
  const score = start < end ? parseFloat64(value.subarray(start, end)) : null;
  if (score === null || (score !== 0 && Math.abs(score) < 2 ** -1022)) return NaN;
  return score;
}

/** memcmp order of two C strings (up to their first NUL), as strcoll in the C locale. */
function collate(a: Buffer, b: Buffer): number {
  const aEnd = cLength(a);
  const bEnd = cLength(b);
  return Buffer.compare(a.subarray(0, aEnd), b.subarray(0, bEnd));
}

// ---- what to sort -----------------------------------------------------------------

/** The value being sorted: its type, size and its elements in native order. */
interface SortInput {
  readonly type: ValueType;
  readonly length: number;
  /** `count` elements from index `first` in native order, or from the end going backwards when reverse. */
  slice(first: number, count: number, reverse: boolean): Buffer[];
}

const listCursor = new ListCursor();

/** A list or zset of this shard, read in place. */
class StoredInput implements SortInput {
  readonly length: number;

  constructor(readonly type: ValueType, private readonly value: Quicklist | ZSet) {
    this.length = type === ValueType.List ? (value as Quicklist).length : (value as ZSet).size;
  }

  slice(first: number, count: number, reverse: boolean): Buffer[] {
    const out: Buffer[] = [];
    if (count <= 0) return out;
    const at = reverse ? this.length - 1 - first : first;
    if (this.type === ValueType.List) {
      const list = this.value as Quicklist;
      list.seek(at, listCursor);
      do out.push(Buffer.from(listCursor.buf.subarray(listCursor.start, listCursor.end)));
      while (out.length < count && (reverse ? listCursor.prev() : listCursor.next()));
    } else {
      const z = this.value as ZSet;
      z.seek(at);
      do out.push(z.curMember());
      while (out.length < count && (reverse ? z.prev() : z.next()));
    }
    return out;
  }
}

/** Elements already copied out: a set's members, or a value fetched from another shard by _sort-source. */
class FetchedInput implements SortInput {
  constructor(readonly type: ValueType, private readonly elements: Buffer[]) {}

  get length(): number {
    return this.elements.length;
  }

  slice(first: number, count: number, reverse: boolean): Buffer[] {
    if (count <= 0) return [];
    if (!reverse) return this.elements.slice(first, first + count);
    const end = this.elements.length - first;
    return this.elements.slice(Math.max(end - count, 0), end).reverse();
  }
}

const TYPE_BY_NAME: Record<string, ValueType> = { list: ValueType.List, set: ValueType.Set, zset: ValueType.ZSet };

// ---- one SORT call -------------------------------------------------------------------

class SortJob {
  desc = false;
  alpha = false;
  limitStart = 0;
  limitCount = -1;
  by: Buffer | null = null;
  /** BY names a constant: keep the native order. */
  dontSort = false;
  gets: Buffer[] = [];
  store: Buffer | null = null;
  /** Called from a script, which must get a deterministic order (Redis: CLIENT_SCRIPT). */
  forScript = false;
  /** The elements, then sorted. */
  vector: Buffer[] = [];
  /** Output window [start, end] of the vector. */
  start = 0;
  end = -1;

  /** Parses the options from argv[2]; false after replying the error. */
  parse(reply: ReplyWriter, argv: Buffer[], readonly: boolean): boolean {
    for (let j = 2; j < argv.length; j++) {
      const left = argv.length - j - 1;
      const arg = argv[j];
      if (isKeyword(arg, 'ASC')) {
        this.desc = false;
      } else if (isKeyword(arg, 'DESC')) {
        this.desc = true;
      } else if (isKeyword(arg, 'ALPHA')) {
        this.alpha = true;
      } else if (isKeyword(arg, 'LIMIT') && left >= 2) {
        const start = parseLong(argv[j + 1]);
        const count = start === start ? parseLong(argv[j + 2]) : NaN;
        if (count !== count) {
          reply.error(NOT_INTEGER);
          return false;
        }
        this.limitStart = start;
        this.limitCount = count;
        j += 2;
      } else if (!readonly && isKeyword(arg, 'STORE') && left >= 1) {
        this.store = argv[++j];
      } else if (isKeyword(arg, 'BY') && left >= 1) {
        this.by = argv[++j];
        // A pattern without '*' is constant: nothing to sort by.
        if (!hasStar(this.by)) this.dontSort = true;
      } else if (isKeyword(arg, 'GET') && left >= 1) {
        this.gets.push(argv[++j]);
      } else {
        reply.error(SYNTAX);
        return false;
      }
    }
    return true;
  }

  /** Loads the elements to sort and the output window (the LIMIT applied to the input's size). */
  load(input: SortInput): void {
    const { type, length } = input;
    // A set has no order of its own: when stored or returned to a script, it is sorted even with a constant BY.
    if (this.dontSort && type === ValueType.Set && (this.store !== null || this.forScript)) {
      this.dontSort = false;
      this.alpha = true;
      this.by = null;
    }
    let start = Math.min(Math.max(this.limitStart, 0), length);
    const count = Math.min(Math.max(this.limitCount, -1), length);
    let end = count < 0 ? length - 1 : start + count - 1;
    if (start >= length) {
      start = length - 1;
      end = length - 2;
    }
    if (end >= length) end = length - 1;
    if (this.dontSort && type !== ValueType.Set) {
      // Lists and zsets keep their order: load just the window, walking backwards for DESC.
      this.vector = input.slice(start, end - start + 1, this.desc);
      end -= start;
      start = 0;
    } else {
      this.vector = input.slice(0, length, false);
    }
    this.start = start;
    this.end = end;
  }

  /** The keys to read for BY weights, one per element; null when the vector is sorted by the elements themselves or not at all. */
  byRefs(): Array<PatternRef | null> | null {
    const by = this.by;
    if (this.dontSort || by === null) return null;
    return this.vector.map((element) => patternRef(by, element));
  }

  /** Sorts the vector by the BY values given per element (or by the elements); false when one is not a double. */
  sort(byValues: Array<Buffer | null> | null): boolean {
    if (this.dontSort) return true;
    const vector = this.vector;
    const n = vector.length;
    const sign = this.desc ? -1 : 1;
    const order = Array.from({ length: n }, (_, i) => i);
    let compare: (a: number, b: number) => number;
    if (!this.alpha) {
      const scores = new Float64Array(n);
      let valid = true;
      for (let i = 0; i < n; i++) {
        // A missing weight counts as 0.
        const value = byValues === null ? vector[i] : byValues[i];
        if (value === null) continue;
        scores[i] = sortScore(value);
        if (scores[i] !== scores[i]) valid = false;
      }
      if (!valid) return false;
      // Equal scores fall back to comparing the elements, so the result is deterministic.
      compare = (a, b) => sign * (scores[a] > scores[b] ? 1 : scores[a] < scores[b] ? -1 : Buffer.compare(vector[a], vector[b]));
    } else {
      // Stored results compare as binary strings, replies with strcoll.
      const strings = this.store !== null ? Buffer.compare : collate;
      if (byValues === null) {
        compare = (a, b) => sign * strings(vector[a], vector[b]);
      } else {
        // Elements without a BY value come first.
        compare = (a, b) => {
          const va = byValues[a];
          const vb = byValues[b];
          return sign * (va === null || vb === null ? (va === vb ? 0 : va === null ? -1 : 1) : strings(va, vb));
        };
      }
    }
    // A full sort is glibc's stable merge sort; BY with a LIMIT window Redis's pqsort.
    if (this.by !== null && (this.start !== 0 || this.end !== n - 1)) partialSort(order, compare, this.start, this.end);
    else order.sort(compare);
    this.vector = order.map((i) => vector[i]);
    return true;
  }

  /** The keys to read for GET, per output element and GET pattern (null: none, or the element itself). */
  getRefs(): Array<PatternRef | null> {
    const refs: Array<PatternRef | null> = [];
    if (this.gets.length === 0) return refs;
    for (let j = this.start; j <= this.end; j++) {
      for (const pattern of this.gets) refs.push(isSelf(pattern) ? null : patternRef(pattern, this.vector[j]));
    }
    return refs;
  }

  /** The output: the window's elements, or per element the values of its GET patterns (null when missing). */
  rows(getValues: Array<Buffer | null>): Array<Buffer | null> {
    const rows: Array<Buffer | null> = [];
    let k = 0;
    for (let j = this.start; j <= this.end; j++) {
      if (this.gets.length === 0) rows.push(this.vector[j]);
      for (const pattern of this.gets) {
        rows.push(isSelf(pattern) ? this.vector[j] : getValues[k]);
        k++;
      }
    }
    return rows;
  }
}

/** A LIMIT argument (getLongFromObjectOrReply): NaN when invalid; beyond 2^53 is clamped, as every size is smaller. */
function parseLong(arg: Buffer): number {
  const n = parseSafeInteger(arg);
  if (n === null) return NaN;
  if (n === undefined) return arg[0] === 0x2d ? -Number.MAX_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
  return n;
}

function replyRows(reply: ReplyWriter, rows: Array<Buffer | null>): void {
  reply.array(rows.length);
  for (const row of rows) {
    if (row === null) reply.nil();
    else reply.bulk(row);
  }
}

// ---- on one shard -----------------------------------------------------------------------

function sort(ctx: ExecContext, argv: Buffer[], readonly: boolean): void {
  const reply = ctx.reply;
  const job = new SortJob();
  if (!job.parse(reply, argv, readonly)) return;
  job.forScript = ctx.dispatcher.inScript;
  const input = storedInput(ctx, argv[1]);
  if (input === null) return reply.error(WRONGTYPE);
  job.load(input);
  const byRefs = job.byRefs();
  if (!job.sort(byRefs === null ? null : lookupLocally(ctx, byRefs))) return reply.error(NOT_DOUBLE);
  const rows = job.rows(lookupLocally(ctx, job.getRefs()));
  if (job.store === null) return replyRows(reply, rows);
  storeRows(ctx, job.store, rows);
}

/** Stores rows as the list at key ('sortstore'; none deletes key, 'del' when it existed) and replies their count. */
function storeRows(ctx: ExecContext, key: Buffer, rows: ReadonlyArray<Buffer | null>): void {
  if (rows.length === 0) {
    if (ctx.db.delete(key)) notifyKeyspaceEvent(ctx, EventClass.Generic, 'del', key);
  } else {
    const list = new Quicklist(config.numeric('list-max-listpack-size'));
    for (const row of rows) list.push(row ?? EMPTY, ListEnd.Tail);
    ctx.db.setObject(key, ValueType.List, list, NO_EXPIRE);
    notifyKeyspaceEvent(ctx, EventClass.List, 'sortstore', key);
    ctx.signalReady(key);
  }
  ctx.reply.int(rows.length);
}

/** _sort-store key [element ...]: a coordinator's result stored on the destination's shard, as storeRows. */
function storePayload(ctx: ExecContext, argv: Buffer[]): void {
  storeRows(ctx, argv[1], argv.slice(2));
}

/** What a missing key sorts as: an empty list. */
const MISSING_INPUT = new FetchedInput(ValueType.List, []);

/** The list, set or zset at key (MISSING_INPUT when missing); null when the key holds another type. */
function storedInput(ctx: ExecContext, key: Buffer): SortInput | null {
  const h = lookupRead(ctx, key);
  if (h < 0) return MISSING_INPUT;
  const type = ctx.db.type(h);
  if (type === ValueType.Set) return new FetchedInput(type, setMembers(ctx.db, h));
  if (type !== ValueType.List && type !== ValueType.ZSet) return null;
  return new StoredInput(type, ctx.db.objectValue<Quicklist | ZSet>(h));
}

/** Copies of the members of the set at h, in its native order (SORT reads a set whole, sorted or not). */
function setMembers(db: Keyspace, h: number): Buffer[] {
  const members: Buffer[] = [];
  // sets.ts registers forEachMember along with the set type.
  valueTypeOps(ValueType.Set).forEachMember!(db, h, (member) => members.push(Buffer.from(member)));
  return members;
}

/** _sort-source key: [type, elements...] of a list, set or zset in native order, nil when missing, or WRONGTYPE. */
function sourcePayload(ctx: ExecContext, argv: Buffer[]): void {
  const input = storedInput(ctx, argv[1]);
  if (input === null) return ctx.reply.error(WRONGTYPE);
  if (input === MISSING_INPUT) return ctx.reply.nilArray();
  const elements = input.slice(0, input.length, false);
  ctx.reply.array(elements.length + 1);
  ctx.reply.bulkString(input.type === ValueType.List ? 'list' : input.type === ValueType.Set ? 'set' : 'zset');
  for (const element of elements) ctx.reply.bulk(element);
}

/** _sort-lookup key field [key field ...]: what each ref names (an empty field: a string key), nil when missing. */
function lookupPayload(ctx: ExecContext, argv: Buffer[]): void {
  const reply = ctx.reply;
  reply.array((argv.length - 1) / 2);
  for (let i = 1; i + 1 < argv.length; i += 2) {
    const value = lookupPattern(ctx, { key: argv[i], field: argv[i + 1].length > 0 ? argv[i + 1] : null });
    if (value === null) reply.nil();
    else reply.bulk(value);
  }
}

// ---- across shards ----------------------------------------------------------------------

/** Resolves refs with one _sort-lookup per shard. */
async function lookupAcross(tx: ShardTx, refs: Array<PatternRef | null>): Promise<Array<Buffer | null>> {
  const values: Array<Buffer | null> = new Array(refs.length).fill(null);
  const perShard: number[][] = Array.from({ length: tx.shardCount }, () => []);
  refs.forEach((ref, i) => {
    if (ref !== null) perShard[tx.shardOf(ref.key)].push(i);
  });
  await Promise.all(perShard.map(async (indexes, shard) => {
    if (indexes.length === 0) return;
    const sub: Buffer[] = [SORT_LOOKUP];
    for (const i of indexes) sub.push(refs[i]!.key, refs[i]!.field ?? EMPTY);
    const found = arrayElements(await tx.exec(shard, sub));
    indexes.forEach((i, k) => {
      const value = bulkOf(found[k]);
      values[i] = value === null ? null : Buffer.from(value);
    });
  }));
  return values;
}

/** SORT whose patterns or STORE key reach other shards. */
async function sortAcross(tx: ShardTx, argv: Buffer[], reply: ReplyWriter, readonly: boolean): Promise<void> {
  const job = new SortJob();
  if (!job.parse(reply, argv, readonly)) return;
  const fetched = await tx.exec(tx.shardOf(argv[1]), [SORT_SOURCE, argv[1]]);
  if (isError(fetched)) return reply.raw(fetched);
  const parts = fetched[0] === 0x2a && fetched[1] !== 0x2d ? arrayElements(fetched).map((part) => Buffer.from(bulkOf(part)!)) : [];
  const type = parts.length > 0 ? TYPE_BY_NAME[parts[0].toString('latin1')] : ValueType.List;
  job.load(new FetchedInput(type, parts.slice(1)));
  const byRefs = job.byRefs();
  if (!job.sort(byRefs === null ? null : await lookupAcross(tx, byRefs))) return reply.error(NOT_DOUBLE);
  const getRefs = job.getRefs();
  const rows = job.rows(getRefs.length > 0 ? await lookupAcross(tx, getRefs) : []);
  if (job.store === null) return replyRows(reply, rows);
  reply.raw(await tx.exec(tx.shardOf(job.store), [SORT_STORE, job.store, ...rows.map((row) => row ?? EMPTY)]));
}

// ---- declarations -----------------------------------------------------------------------

/** Key positions of SORT (Redis sortGetKeys): the sorted key and the last STORE key. */
function sortKeys(argv: Buffer[]): number[] {
  let storeAt = -1;
  for (let i = 2; i < argv.length; i++) {
    if (isKeyword(argv[i], 'LIMIT')) i += 2;
    else if (isKeyword(argv[i], 'GET') || isKeyword(argv[i], 'BY')) i += 1;
    else if (isKeyword(argv[i], 'STORE') && i + 1 < argv.length) storeAt = i + 1;
  }
  return storeAt < 0 ? [1] : [1, storeAt];
}

/** True when BY or GET patterns name other keys (a '*' to substitute): on several shards the call is coordinated. */
function readsPatternKeys(argv: Buffer[]): boolean {
  for (let i = 2; i + 1 < argv.length; i++) {
    if (isKeyword(argv[i], 'LIMIT')) i += 2;
    else if ((isKeyword(argv[i], 'BY') || isKeyword(argv[i], 'GET')) && hasStar(argv[++i])) return true;
  }
  return false;
}

const PATTERN_NOTES = "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort";
const STORE_NOTES = "For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array";
const SORTED_KEY: KeySpec = { flags: ['RO', 'access'], begin: { index: 1 }, find: { lastkey: 0, keystep: 1, limit: 0 } };
const PATTERN_KEYS: KeySpec = { notes: PATTERN_NOTES, flags: ['RO', 'access'], begin: 'unknown', find: 'unknown' };
const STORE_KEY: KeySpec = { notes: STORE_NOTES, flags: ['OW', 'update'], begin: 'unknown', find: 'unknown' };
const COMPLEXITY = 'O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).';

export const sortCommands = [
  command({ name: 'sort', arity: -2, flags: ['write', 'denyoom', 'movablekeys'], keys: [1, 1, 1], acl: ['write', 'set', 'sortedset', 'list', 'slow', 'dangerous'], group: 'generic', summary: 'Sort the elements in a list, set or sorted set', since: '1.0.0', complexity: COMPLEXITY, keySpecs: [SORTED_KEY, PATTERN_KEYS, STORE_KEY], keyFinder: sortKeys, readsUndeclaredKeys: readsPatternKeys, coordinate: (tx, argv, reply) => sortAcross(tx, argv, reply, false), handler: (ctx, argv) => sort(ctx, argv, false) }),
  command({ name: 'sort_ro', arity: -2, flags: ['readonly', 'movablekeys'], keys: [1, 1, 1], acl: ['read', 'set', 'sortedset', 'list', 'slow', 'dangerous'], group: 'generic', summary: 'Sort the elements in a list, set or sorted set. Read-only variant of SORT.', since: '7.0.0', complexity: COMPLEXITY, keySpecs: [SORTED_KEY, PATTERN_KEYS], readsUndeclaredKeys: readsPatternKeys, coordinate: (tx, argv, reply) => sortAcross(tx, argv, reply, true), handler: (ctx, argv) => sort(ctx, argv, true) }),
  // Shard-side steps of the multi-shard coordinator above.
  command({ name: '_sort-source', arity: 2, flags: ['readonly'], keys: [1, 1, 1], acl: [], group: 'generic', summary: 'The elements of a list, set or zset in native order', since: '7.0.0', internal: true, handler: sourcePayload }),
  command({ name: '_sort-store', arity: -2, flags: ['write', 'denyoom'], keys: [1, 1, 1], acl: [], group: 'generic', summary: 'Store a SORT result', since: '7.0.0', internal: true, handler: storePayload }),
  command({ name: '_sort-lookup', arity: -3, flags: ['readonly'], keys: [1, -1, 2], acl: [], group: 'generic', summary: 'Values named by SORT BY/GET patterns', since: '7.0.0', internal: true, handler: lookupPayload }),
];
