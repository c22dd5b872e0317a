// Geo commands (Redis geo.c). A geo index is a sorted set whose scores are
// 52-bit geohashes (src/util/geohash.ts): GEOADD is ZADD with encoded
// positions, and searches scan the score ranges of up to 9 geohash cells
// around the centre, keeping the points inside the shape.
//
// GEORADIUS ... STORE and GEOSEARCHSTORE with source and destination on
// different shards run as coordinators: the search runs on the source's shard
// (_geo-search, replying the result as a serialized zset) and the result is
// stored on the destination's shard by the zset family's _zset-store.

import { command, type ExecContext, type KeySpec, type ShardTx } from '../dispatch/command';
import { bulkOf } from '../dispatch/resp-scan';
import type { ReplyWriter } from '../protocol/reply';
import { ValueType } from '../store/types';
import { Bound, ZSet } from '../store/zset/zset';
import {
  GEO_LAT_MAX, GEO_LAT_MIN, GEO_LONG_MAX, GEO_LONG_MIN, decodeScore, decoded, distanceWithin, geoDistance, geoScore,
  searchRanges, standardGeohash, type GeoShape,
} from '../util/geohash';
import { formatFixed, parseFloat64, parseSafeInteger } from '../util/number';
import { partialSort } from '../util/pqsort';
import { NOT_FLOAT, NOT_INTEGER, SYNTAX } from './errors';
import { WRONG_TYPE, lookupTyped } from './lookup';
import { isKeyword } from '../util/keyword';
import { storeResult, zadd } from './zsets';

const EMPTY = Buffer.alloc(0);
const ZADD = Buffer.from('zadd');
const GEO_SEARCH = Buffer.from('_geo-search');
const ZSET_STORE = Buffer.from('_zset-store');

// ---- argument parsing ----------------------------------------------------------------

/** A parsed longitude, latitude pair (extractLongLat). */
const position = { longitude: 0, latitude: 0 };

/** Parses argv[at], argv[at + 1] as a valid longitude, latitude into `position`; false after the error. */
function extractLongLat(reply: ReplyWriter, argv: Buffer[], at: number): boolean {
  const longitude = parseFloat64(argv[at]);
  const latitude = longitude === null ? null : parseFloat64(argv[at + 1]);
  if (longitude === null || latitude === null) {
    reply.error(NOT_FLOAT);
    return false;
  }
  if (longitude < GEO_LONG_MIN || longitude > GEO_LONG_MAX || latitude < GEO_LAT_MIN || latitude > GEO_LAT_MAX) {
    reply.error(`ERR invalid longitude,latitude pair ${formatFixed(longitude, 6)},${formatFixed(latitude, 6)}`);
    return false;
  }
  position.longitude = longitude;
  position.latitude = latitude;
  return true;
}

/** Meters per unit, or -1 after the error (extractUnitOrReply). */
function extractUnit(reply: ReplyWriter, arg: Buffer): number {
  if (isKeyword(arg, 'M')) return 1;
  if (isKeyword(arg, 'KM')) return 1000;
  if (isKeyword(arg, 'FT')) return 0.3048;
  if (isKeyword(arg, 'MI')) return 1609.34;
  reply.error('ERR unsupported unit provided. please use M, KM, FT, MI');
  return -1;
}

/** A number argument, or NaN after replying `notNumeric`. */
function extractLength(reply: ReplyWriter, arg: Buffer, notNumeric: string): number {
  const value = parseFloat64(arg);
  if (value === null) {
    reply.error(notNumeric);
    return NaN;
  }
  return value;
}

/** Parses `radius unit` at argv[at] into the shape; false after the error. */
function extractRadius(reply: ReplyWriter, argv: Buffer[], at: number, shape: GeoShape): boolean {
  const radius = extractLength(reply, argv[at], 'ERR need numeric radius');
  if (radius !== radius) return false;
  if (radius < 0) {
    reply.error('ERR radius cannot be negative');
    return false;
  }
  const conversion = extractUnit(reply, argv[at + 1]);
  if (conversion < 0) return false;
  shape.box = false;
  shape.radius = radius;
  shape.conversion = conversion;
  return true;
}

/** Parses `width height unit` at argv[at] into the shape; false after the error. */
function extractBox(reply: ReplyWriter, argv: Buffer[], at: number, shape: GeoShape): boolean {
  const width = extractLength(reply, argv[at], 'ERR need numeric width');
  if (width !== width) return false;
  const height = extractLength(reply, argv[at + 1], 'ERR need numeric height');
  if (height !== height) return false;
  if (height < 0 || width < 0) {
    reply.error('ERR height or width cannot be negative');
    return false;
  }
  const conversion = extractUnit(reply, argv[at + 2]);
  if (conversion < 0) return false;
  shape.box = true;
  shape.width = width;
  shape.height = height;
  shape.conversion = conversion;
  return true;
}

/** Sets the shape's centre to member's position; false when member is not in z. */
function centreOnMember(z: ZSet, member: Buffer, shape: GeoShape): boolean {
  const score = z.score(member);
  if (score !== score) return false;
  decodeScore(score);
  shape.longitude = decoded.longitude;
  shape.latitude = decoded.latitude;
  return true;
}

/** The zset at key, null when missing, undefined after replying WRONGTYPE. */
function geoSetAt(ctx: ExecContext, key: Buffer): ZSet | null | undefined {
  const h = lookupTyped(ctx, key, ValueType.ZSet);
  if (h === WRONG_TYPE) return undefined;
  return h < 0 ? null : ctx.db.objectValue<ZSet>(h);
}

/** Distance formatted as Redis's fixedpoint_d2string(d, 4): 4 decimals, rounded half to even (llrint). */
function formatDistance(d: number): string {
  const scaled = d * 10000;
  let units = Math.round(scaled);
  // Math.round rounds halves up; llrint rounds them to even.
  if (units - scaled === 0.5 && units % 2 !== 0) units--;
  const digits = String(Math.abs(units)).padStart(5, '0');
  return `${units < 0 ? '-' : ''}${digits.slice(0, -4)}.${digits.slice(-4)}`;
}

/** "%.17Lf" of a double with trailing zeros removed (addReplyHumanLongDouble). */
function formatCoordinate(d: number): string {
  let text = formatFixed(d, 17);
  if (text.indexOf('.') >= 0) text = text.replace(/\.?0+$/, '');
  return text === '-0' ? '0' : text;
}

// ---- GEOADD ------------------------------------------------------------------------

function geoadd(ctx: ExecContext, argv: Buffer[]): void {
  const reply = ctx.reply;
  let xx = false;
  let nx = false;
  let at = 2;
  for (; at < argv.length; at++) {
    if (isKeyword(argv[at], 'NX')) nx = true;
    else if (isKeyword(argv[at], 'XX')) xx = true;
    else if (!isKeyword(argv[at], 'CH')) break;
  }
  if ((argv.length - at) % 3 !== 0 || (xx && nx)) return reply.error(SYNTAX);
  // The same call as a ZADD: options, then score member pairs.
  const zaddArgv = argv.slice(0, at);
  zaddArgv[0] = ZADD;
  for (let i = at; i < argv.length; i += 3) {
    if (!extractLongLat(reply, argv, i)) return;
    zaddArgv.push(Buffer.from(String(geoScore(position.longitude, position.latitude)), 'latin1'), argv[i + 2]);
  }
  zadd(ctx, zaddArgv, 0);
}

// ---- GEOPOS GEOHASH GEODIST ------------------------------------------------------------

function geopos(ctx: ExecContext, argv: Buffer[]): void {
  const z = geoSetAt(ctx, argv[1]);
  if (z === undefined) return;
  const reply = ctx.reply;
  reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const score = z === null ? NaN : z.score(argv[i]);
    if (score !== score) {
      reply.nilArray();
      continue;
    }
    decodeScore(score);
    reply.array(2);
    reply.doubleText(formatCoordinate(decoded.longitude));
    reply.doubleText(formatCoordinate(decoded.latitude));
  }
}

function geohash(ctx: ExecContext, argv: Buffer[]): void {
  const z = geoSetAt(ctx, argv[1]);
  if (z === undefined) return;
  const reply = ctx.reply;
  reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const score = z === null ? NaN : z.score(argv[i]);
    if (score !== score) reply.nil();
    else reply.bulkString(standardGeohash(score));
  }
}

function geodist(ctx: ExecContext, argv: Buffer[]): void {
  const reply = ctx.reply;
  let toMeters = 1;
  if (argv.length === 5) {
    toMeters = extractUnit(reply, argv[4]);
    if (toMeters < 0) return;
  } else if (argv.length > 5) {
    return reply.error(SYNTAX);
  }
  const z = geoSetAt(ctx, argv[1]);
  if (z === undefined) return;
  const score1 = z === null ? NaN : z.score(argv[2]);
  const score2 = score1 !== score1 ? NaN : z!.score(argv[3]);
  if (score2 !== score2) return reply.nil();
  decodeScore(score1);
  const { longitude, latitude } = decoded;
  decodeScore(score2);
  reply.bulkString(formatDistance(geoDistance(longitude, latitude, decoded.longitude, decoded.latitude) / toMeters));
}

// ---- GEORADIUS GEORADIUSBYMEMBER GEOSEARCH GEOSEARCHSTORE ------------------------------------

const enum Search {
  /** GEORADIUS[_RO]: centre from longitude latitude arguments. */
  Coords = 1,
  /** GEORADIUSBYMEMBER[_RO]: centre from a member. */
  Member = 2,
  /** _RO variants: no STORE / STOREDIST. */
  NoStore = 4,
  /** GEOSEARCH syntax. */
  GeoSearch = 8,
  /** GEOSEARCHSTORE. */
  SearchStore = 16,
}

const enum Order { None, Asc, Desc }
/** Where the results go: to the client, into the store key, or back serialized as a zset (_geo-search). */
const enum Sink { Client, Store, Payload }

/** Search flags per command name, for _geo-search which runs any of them. */
const SEARCH_FLAGS: Record<string, number> = {
  georadius: Search.Coords,
  georadiusbymember: Search.Member,
  geosearchstore: Search.GeoSearch | Search.SearchStore,
};

const shape: GeoShape = { box: false, longitude: 0, latitude: 0, radius: 0, width: 0, height: 0, conversion: 1 };
const ranges = new Float64Array(18);

/** Points found by the current search (reused). */
const found = { members: [] as Buffer[], scores: [] as number[], distances: [] as number[], longitudes: [] as number[], latitudes: [] as number[] };
const order: number[] = [];

/** Collects the points of z inside the shape, scanning the search cells in order, stopping at `limit` (0: none). */
function collectPoints(z: ZSet, limit: number): void {
  const { members, scores, distances, longitudes, latitudes } = found;
  members.length = scores.length = distances.length = longitudes.length = latitudes.length = 0;
  const count = searchRanges(shape, ranges);
  for (let r = 0; r < count; r++) {
    if (limit > 0 && members.length >= limit) break;
    const min = ranges[2 * r];
    const max = ranges[2 * r + 1];
    const first = z.countBefore(Bound.ScoreLT, min, EMPTY);
    if (first >= z.size) continue;
    z.seek(first);
    do {
      const score = z.curScore;
      if (score >= max) break;
      decodeScore(score);
      const distance = distanceWithin(shape, decoded.longitude, decoded.latitude);
      if (distance >= 0) {
        members.push(z.curMember());
        scores.push(score);
        distances.push(distance);
        longitudes.push(decoded.longitude);
        latitudes.push(decoded.latitude);
      }
      if (limit > 0 && members.length >= limit) break;
    } while (z.next());
  }
}

function nearerFirst(a: number, b: number): number {
  return found.distances[a] - found.distances[b];
}

function fartherFirst(a: number, b: number): number {
  return found.distances[b] - found.distances[a];
}

/**
 * Redis georadiusGeneric: argv[srcAt] is the source key. Parses the search, runs
 * it and replies the points, stores them (STORE, STOREDIST, GEOSEARCHSTORE), or
 * with Sink.Payload replies them as a serialized zset for a coordinator to store.
 */
function geoSearch(ctx: ExecContext, argv: Buffer[], srcAt: number, flags: number, sink: Sink): void {
  const reply = ctx.reply;
  const z = geoSetAt(ctx, argv[srcAt]);
  if (z === undefined) return;
  let storeKey: Buffer | null = null;
  let storeDist = false;
  let baseArgs: number;
  if (flags & Search.Coords) {
    baseArgs = 6;
    if (!extractLongLat(reply, argv, 2)) return;
    shape.longitude = position.longitude;
    shape.latitude = position.latitude;
    if (!extractRadius(reply, argv, 4, shape)) return;
  } else if (flags & Search.Member) {
    baseArgs = 5;
    // Without a source key the arguments are still parsed, to pick the reply.
    if (z !== null) {
      if (!centreOnMember(z, argv[2], shape)) return reply.error('ERR could not decode requested zset member');
      if (!extractRadius(reply, argv, 3, shape)) return;
    }
  } else {
    baseArgs = 2;
    if (flags & Search.SearchStore) {
      baseArgs = 3;
      storeKey = argv[1];
    }
  }

  let withDist = false;
  let withHash = false;
  let withCoord = false;
  let fromMember = false;
  let fromLonLat = false;
  let byRadius = false;
  let byBox = false;
  let sort = Order.None;
  let any = false;
  let count = 0;
  const geosearch = (flags & Search.GeoSearch) !== 0;
  for (let i = baseArgs; i < argv.length; i++) {
    const arg = argv[i];
    const left = argv.length - i - 1;
    if (isKeyword(arg, 'WITHDIST')) {
      withDist = true;
    } else if (isKeyword(arg, 'WITHHASH')) {
      withHash = true;
    } else if (isKeyword(arg, 'WITHCOORD')) {
      withCoord = true;
    } else if (isKeyword(arg, 'ANY')) {
      any = true;
    } else if (isKeyword(arg, 'ASC')) {
      sort = Order.Asc;
    } else if (isKeyword(arg, 'DESC')) {
      sort = Order.Desc;
    } else if (isKeyword(arg, 'COUNT') && left >= 1) {
      const n = parseSafeInteger(argv[++i]);
      if (n === null) return reply.error(NOT_INTEGER);
      // Beyond 2^53 (or int64) is as good as unlimited, or an error below zero.
      count = n === undefined ? (argv[i][0] === 0x2d ? -1 : Number.MAX_SAFE_INTEGER) : n;
      if (count <= 0) return reply.error('ERR COUNT must be > 0');
    } else if ((isKeyword(arg, 'STORE') || isKeyword(arg, 'STOREDIST')) && left >= 1 && !(flags & Search.NoStore) && !geosearch) {
      storeDist = arg.length === 9;
      storeKey = argv[++i];
    } else if (isKeyword(arg, 'STOREDIST') && geosearch && (flags & Search.SearchStore)) {
      storeDist = true;
    } else if (isKeyword(arg, 'FROMMEMBER') && left >= 1 && geosearch && !fromLonLat) {
      i++;
      if (z !== null && !centreOnMember(z, argv[i], shape)) return reply.error('ERR could not decode requested zset member');
      fromMember = true;
    } else if (isKeyword(arg, 'FROMLONLAT') && left >= 2 && geosearch && !fromMember) {
      if (!extractLongLat(reply, argv, i + 1)) return;
      shape.longitude = position.longitude;
      shape.latitude = position.latitude;
      fromLonLat = true;
      i += 2;
    } else if (isKeyword(arg, 'BYRADIUS') && left >= 2 && geosearch && !byBox) {
      if (!extractRadius(reply, argv, i + 1, shape)) return;
      byRadius = true;
      i += 2;
    } else if (isKeyword(arg, 'BYBOX') && left >= 3 && geosearch && !byRadius) {
      if (!extractBox(reply, argv, i + 1, shape)) return;
      byBox = true;
      i += 3;
    } else {
      return reply.error(SYNTAX);
    }
  }

  if (storeKey !== null && (withDist || withHash || withCoord)) {
    return reply.error(`ERR ${flags & Search.SearchStore ? 'GEOSEARCHSTORE' : 'STORE option in GEORADIUS'} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`);
  }
  const name = argv[0].toString('latin1');
  if (geosearch && !(fromMember || fromLonLat)) return reply.error(`ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${name}`);
  if (geosearch && !(byRadius || byBox)) return reply.error(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${name}`);
  if (any && count === 0) return reply.error('ERR the ANY argument requires COUNT argument');

  if (storeKey === null) sink = Sink.Client;
  if (z === null) {
    if (sink === Sink.Client) reply.array(0);
    else finishStore(ctx, storeKey!, sink, new ZSet(), flags);
    return;
  }
  // COUNT needs the nearest points: ascending unless ANY asks for the first ones found.
  if (count !== 0 && sort === Order.None && !any) sort = Order.Asc;
  collectPoints(z, any ? count : 0);

  const { members, scores, distances, longitudes, latitudes } = found;
  const returned = count === 0 || members.length < count ? members.length : count;
  order.length = members.length;
  for (let i = 0; i < order.length; i++) order[i] = i;
  if (sort !== Order.None) {
    const compare = sort === Order.Asc ? nearerFirst : fartherFirst;
    // A full sort is glibc's stable merge sort; a partial one Redis's pqsort.
    if (returned === members.length) order.sort(compare);
    else partialSort(order, compare, 0, returned - 1);
  }

  if (sink === Sink.Client) {
    const options = (withDist ? 1 : 0) + (withHash ? 1 : 0) + (withCoord ? 1 : 0);
    reply.array(returned);
    for (let i = 0; i < returned; i++) {
      const p = order[i];
      if (options > 0) reply.array(options + 1);
      reply.bulk(members[p]);
      if (withDist) reply.bulkString(formatDistance(distances[p] / shape.conversion));
      if (withHash) reply.int(scores[p]);
      if (withCoord) {
        reply.array(2);
        reply.doubleText(formatCoordinate(longitudes[p]));
        reply.doubleText(formatCoordinate(latitudes[p]));
      }
    }
  } else {
    // Built as a skiplist, as Redis does, then packed when small enough.
    const result = new ZSet(Number.MAX_SAFE_INTEGER);
    for (let i = 0; i < returned; i++) {
      const p = order[i];
      result.set(members[p], storeDist ? distances[p] / shape.conversion : scores[p]);
    }
    result.convertToPackedIfFits();
    finishStore(ctx, storeKey!, sink, result, flags);
  }
  members.length = 0;
}

function finishStore(ctx: ExecContext, storeKey: Buffer, sink: Sink, result: ZSet, flags: number): void {
  if (sink === Sink.Store) storeResult(ctx, storeKey, result, storeEventOf(flags));
  else ctx.reply.bulk(result.serialize());
}

/** The keyspace event of a search that stores its result. */
function storeEventOf(flags: number): string {
  return flags & Search.GeoSearch ? 'geosearchstore' : 'georadiusstore';
}

/** _geo-search name args...: the search of GEORADIUS, GEORADIUSBYMEMBER or GEOSEARCHSTORE `name`, replied as a serialized zset. */
function geoSearchPayload(ctx: ExecContext, argv: Buffer[]): void {
  const call = argv.slice(1);
  const flags = SEARCH_FLAGS[call[0].toString('latin1').toLowerCase()];
  if (flags === undefined) return ctx.reply.error(SYNTAX);
  geoSearch(ctx, call, flags & Search.SearchStore ? 2 : 1, flags, Sink.Payload);
}

/** A search storing into a key of another shard: search on the source's shard, store on the destination's. */
async function geoSearchAcross(tx: ShardTx, argv: Buffer[], reply: ReplyWriter, storeAt: number): Promise<void> {
  const srcAt = storeAt === 1 ? 2 : 1;
  const result = await tx.exec(tx.shardOf(argv[srcAt]), [GEO_SEARCH, ...argv]);
  const payload = bulkOf(result);
  if (payload === null) return reply.raw(result);
  const event = Buffer.from(storeEventOf(SEARCH_FLAGS[argv[0].toString('latin1').toLowerCase()]));
  reply.raw(await tx.exec(tx.shardOf(argv[storeAt]), [ZSET_STORE, argv[storeAt], payload, event]));
}

/**
 * Key positions of GEORADIUS[BYMEMBER]: the source and every STORE/STOREDIST key
 * (the last one is where the result goes, as georadiusGetKeys picks it).
 */
function georadiusKeys(argv: Buffer[]): number[] {
  const keys = [1];
  for (let i = 5; i + 1 < argv.length; i++) {
    if (isKeyword(argv[i], 'STORE') || isKeyword(argv[i], 'STOREDIST')) keys.push(++i);
  }
  return keys;
}

async function georadiusAcross(tx: ShardTx, argv: Buffer[], reply: ReplyWriter): Promise<void> {
  const keys = georadiusKeys(argv);
  await geoSearchAcross(tx, argv, reply, keys[keys.length - 1]);
}

// ---- declarations ----------------------------------------------------------------------

function keyAt(index: number, flags: KeySpec['flags']): KeySpec {
  return { flags, begin: { index }, find: { lastkey: 0, keystep: 1, limit: 0 } };
}

function storeKeyword(keyword: string, startfrom: number): KeySpec {
  return { flags: ['OW', 'update'], begin: { keyword, startfrom }, find: { lastkey: 0, keystep: 1, limit: 0 } };
}

const G = 'geo';
const KEY1: readonly [number, number, number] = [1, 1, 1];
const READ = ['read', 'geo', 'slow'];
const WRITE = ['write', 'geo', 'slow'];
const RADIUS_COMPLEXITY = 'O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.';
const SEARCH_COMPLEXITY = 'O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape';
const RADIUS_SPECS = (startfrom: number): KeySpec[] => [keyAt(1, ['RO', 'access']), storeKeyword('STORE', startfrom), storeKeyword('STOREDIST', startfrom)];

export const geoCommands = [
  command({ name: 'geoadd', arity: -5, flags: ['write', 'denyoom'], keys: KEY1, acl: WRITE, group: G, summary: 'Add one or more geospatial items in the geospatial index represented using a sorted set', since: '3.2.0', complexity: 'O(log(N)) for each item added, where N is the number of elements in the sorted set.', keySpecs: [keyAt(1, ['RW', 'update'])], handler: geoadd }),
  command({ name: 'geodist', arity: -4, flags: ['readonly'], keys: KEY1, acl: READ, group: G, summary: 'Returns the distance between two members of a geospatial index', since: '3.2.0', complexity: 'O(log(N))', keySpecs: [keyAt(1, ['RO', 'access'])], handler: geodist }),
  command({ name: 'geohash', arity: -2, flags: ['readonly'], keys: KEY1, acl: READ, group: G, summary: 'Returns members of a geospatial index as standard geohash strings', since: '3.2.0', complexity: 'O(log(N)) for each member requested, where N is the number of elements in the sorted set.', keySpecs: [keyAt(1, ['RO', 'access'])], handler: geohash }),
  command({ name: 'geopos', arity: -2, flags: ['readonly'], keys: KEY1, acl: READ, group: G, summary: 'Returns longitude and latitude of members of a geospatial index', since: '3.2.0', complexity: 'O(N) where N is the number of members requested.', keySpecs: [keyAt(1, ['RO', 'access'])], handler: geopos }),
  command({ name: 'geosearch', arity: -7, flags: ['readonly'], keys: KEY1, acl: READ, group: G, summary: 'Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle.', since: '6.2.0', complexity: SEARCH_COMPLEXITY, keySpecs: [keyAt(1, ['RO', 'access'])], handler: (ctx, argv) => geoSearch(ctx, argv, 1, Search.GeoSearch, Sink.Client) }),
  command({ name: 'geosearchstore', arity: -8, flags: ['write', 'denyoom'], keys: [1, 2, 1], acl: WRITE, group: G, summary: 'Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle, and store the result in another key.', since: '6.2.0', complexity: SEARCH_COMPLEXITY, keySpecs: [keyAt(1, ['OW', 'update']), keyAt(2, ['RO', 'access'])], coordinate: (tx, argv, reply) => geoSearchAcross(tx, argv, reply, 1), handler: (ctx, argv) => geoSearch(ctx, argv, 2, Search.GeoSearch | Search.SearchStore, Sink.Store) }),
  command({ name: 'georadius', arity: -6, flags: ['write', 'denyoom', 'movablekeys'], keys: KEY1, acl: WRITE, group: G, summary: 'Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a point', since: '3.2.0', complexity: RADIUS_COMPLEXITY, keySpecs: RADIUS_SPECS(6), keyFinder: georadiusKeys, coordinate: georadiusAcross, handler: (ctx, argv) => geoSearch(ctx, argv, 1, Search.Coords, Sink.Store) }),
  command({ name: 'georadius_ro', arity: -6, flags: ['readonly'], keys: KEY1, acl: READ, group: G, summary: 'A read-only variant for GEORADIUS', since: '3.2.10', complexity: RADIUS_COMPLEXITY, keySpecs: [keyAt(1, ['RO', 'access'])], handler: (ctx, argv) => geoSearch(ctx, argv, 1, Search.Coords | Search.NoStore, Sink.Client) }),
  command({ name: 'georadiusbymember', arity: -5, flags: ['write', 'denyoom', 'movablekeys'], keys: KEY1, acl: WRITE, group: G, summary: 'Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a member', since: '3.2.0', complexity: RADIUS_COMPLEXITY, keySpecs: RADIUS_SPECS(5), keyFinder: georadiusKeys, coordinate: georadiusAcross, handler: (ctx, argv) => geoSearch(ctx, argv, 1, Search.Member, Sink.Store) }),
  command({ name: 'georadiusbymember_ro', arity: -5, flags: ['readonly'], keys: KEY1, acl: READ, group: G, summary: 'A read-only variant for GEORADIUSBYMEMBER', since: '3.2.10', complexity: RADIUS_COMPLEXITY, keySpecs: [keyAt(1, ['RO', 'access'])], handler: (ctx, argv) => geoSearch(ctx, argv, 1, Search.Member | Search.NoStore, Sink.Client) }),
  // Shard-side step of the cross-shard store coordinators above.
  command({ name: '_geo-search', arity: -3, flags: ['readonly'], keys: [2, 2, 1], acl: [], group: G, summary: 'A GEORADIUS/GEOSEARCHSTORE search, serialized as a zset', since: '7.0.0', internal: true, handler: geoSearchPayload }),
];
