// Geohash math of the GEO commands, with Redis 7.0's exact arithmetic
// (geohash.c, geohash_helper.c, geo.c): a position is stored as the score of a
// sorted-set member, the 52-bit interleave of its latitude and longitude cells
// at step 26 (latitude on the even bits, longitude on the odd ones), over
// Redis's Mercator-safe ranges (latitude +-85.05112878).
//
// 64-bit values travel as two uint32 halves (hi, lo): doubles only hold 53 bits
// and the edges of the ranges produce 54-bit interleaves.

export const GEO_STEP_MAX = 26;
export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;
/** Redis's earth radius (quadratic mean radius for WGS-84), in meters. */
export const EARTH_RADIUS_IN_METERS = 6372797.560856;
const MERCATOR_MAX = 20037726.37;
const D_R = Math.PI / 180;
const TWO_32 = 2 ** 32;

// ---- bit interleaving -------------------------------------------------------

/** Spreads the low 16 bits of v onto the even bits of a uint32. */
function spread16(v: number): number {
  v &= 0xffff;
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  v = (v | (v << 1)) & 0x55555555;
  return v >>> 0;
}

/** Gathers the even bits of a uint32 into 16 bits. */
function compact16(v: number): number {
  v &= 0x55555555;
  v = (v | (v >>> 1)) & 0x33333333;
  v = (v | (v >>> 2)) & 0x0f0f0f0f;
  v = (v | (v >>> 4)) & 0x00ff00ff;
  v = (v | (v >>> 8)) & 0x0000ffff;
  return v;
}

/** Result of interleave(): the 64-bit interleave as two uint32 halves. */
export const interleaved = { hi: 0, lo: 0 };

/** Interleaves two uint32 cells: lat on the even bits, long on the odd ones (geohash.c interleave64). */
export function interleave(lat: number, long: number): void {
  interleaved.lo = (spread16(lat) | (spread16(long) << 1)) >>> 0;
  interleaved.hi = (spread16(lat >>> 16) | (spread16(long >>> 16) << 1)) >>> 0;
}

/** The cell (0..2^step) of value within [min, max], truncated as Redis converts the offset to uint32. */
function cellOf(value: number, min: number, max: number, step: number): number {
  return Math.floor(((value - min) / (max - min)) * 2 ** step);
}

/** The zset score GEOADD stores for a (valid) position. */
export function geoScore(longitude: number, latitude: number): number {
  interleave(cellOf(latitude, GEO_LAT_MIN, GEO_LAT_MAX, GEO_STEP_MAX), cellOf(longitude, GEO_LONG_MIN, GEO_LONG_MAX, GEO_STEP_MAX));
  // One rounding, as Redis's ZADD parses the decimal of the 64-bit value.
  return interleaved.hi * TWO_32 + interleaved.lo;
}

// ---- decoding -----------------------------------------------------------------

/** An area in degrees, as geohashDecode fills it. */
export interface GeoArea {
  latMin: number;
  latMax: number;
  longMin: number;
  longMax: number;
}

/** Area of the cell (lat, long) at `step` over the given ranges; the cells are uint32, (cell + 1) wraps as in C. */
function decodeCell(lat: number, long: number, step: number, latMin: number, latMax: number, longMin: number, longMax: number, out: GeoArea): void {
  const cells = 2 ** step;
  const latScale = latMax - latMin;
  const longScale = longMax - longMin;
  out.latMin = latMin + (lat / cells) * latScale;
  out.latMax = latMin + (((lat + 1) >>> 0) / cells) * latScale;
  out.longMin = longMin + (long / cells) * longScale;
  out.longMax = longMin + (((long + 1) >>> 0) / cells) * longScale;
}

/** Result of decodeScore(): the position a score stands for. */
export const decoded = { longitude: 0, latitude: 0 };
const scratchArea: GeoArea = { latMin: 0, latMax: 0, longMin: 0, longMax: 0 };

/**
 * Decodes a zset score into `decoded`: the centre of its step-26 cell, clamped to
 * the valid ranges. Any score decodes: it is first converted to uint64 as C does
 * on x86-64 (truncation; two's complement for negatives; 0 at 2^64 and above).
 */
export function decodeScore(score: number): void {
  let hi: number;
  let lo: number;
  if (score >= 0 && score < TWO_32 * TWO_32) {
    const bits = Math.floor(score);
    hi = Math.floor(bits / TWO_32) >>> 0;
    lo = bits % TWO_32 >>> 0;
  } else {
    const bits = score >= -(2 ** 63) && score < 0 ? BigInt.asUintN(64, BigInt(Math.trunc(score))) : score < 0 ? 1n << 63n : 0n;
    hi = Number(bits >> 32n);
    lo = Number(bits & 0xffffffffn);
  }
  const lat = (compact16(lo) | (compact16(hi) << 16)) >>> 0;
  const long = (compact16(lo >>> 1) | (compact16(hi >>> 1) << 16)) >>> 0;
  decodeCell(lat, long, GEO_STEP_MAX, GEO_LAT_MIN, GEO_LAT_MAX, GEO_LONG_MIN, GEO_LONG_MAX, scratchArea);
  decoded.longitude = Math.min(Math.max((scratchArea.longMin + scratchArea.longMax) / 2, GEO_LONG_MIN), GEO_LONG_MAX);
  decoded.latitude = Math.min(Math.max((scratchArea.latMin + scratchArea.latMax) / 2, GEO_LAT_MIN), GEO_LAT_MAX);
}

const GEOHASH_ALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz';

/**
 * GEOHASH's 11-character standard geohash of a score: the decoded position
 * re-encoded over the standard ranges (latitude +-90), 52 bits in 10
 * characters and a final '0'.
 */
export function standardGeohash(score: number): string {
  decodeScore(score);
  interleave(cellOf(decoded.latitude, -90, 90, GEO_STEP_MAX), cellOf(decoded.longitude, -180, 180, GEO_STEP_MAX));
  const { hi, lo } = interleaved;
  let out = '';
  for (let i = 0; i < 10; i++) {
    const shift = 52 - (i + 1) * 5;
    const index = shift >= 32 ? hi >>> (shift - 32) : (lo >>> shift) | (hi << (32 - shift));
    out += GEOHASH_ALPHABET[index & 0x1f];
  }
  return out + '0';
}

// ---- distances ------------------------------------------------------------------

/** Distance along a meridian between two latitudes (geohashGetLatDistance). */
function latDistance(lat1: number, lat2: number): number {
  return EARTH_RADIUS_IN_METERS * Math.abs(lat2 * D_R - lat1 * D_R);
}

/** Haversine great-circle distance in meters (geohashGetDistance). */
export function geoDistance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const v = Math.sin((lon2 * D_R - lon1 * D_R) / 2);
  // Same longitude: the formula reduces to the latitude distance.
  if (v === 0) return latDistance(lat1, lat2);
  const lat1r = lat1 * D_R;
  const lat2r = lat2 * D_R;
  const u = Math.sin((lat2r - lat1r) / 2);
  const a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a));
}

// ---- search areas ------------------------------------------------------------------

/** A GEOSEARCH shape: a circle (radius) or a box (width x height) around a centre, in `conversion` units. */
export interface GeoShape {
  box: boolean;
  longitude: number;
  latitude: number;
  radius: number;
  width: number;
  height: number;
  /** Meters per unit. */
  conversion: number;
}

/**
 * Distance in meters from the shape's centre to a point inside the shape, or -1
 * when the point is outside (geoWithinShape).
 */
export function distanceWithin(shape: GeoShape, longitude: number, latitude: number): number {
  if (!shape.box) {
    const distance = geoDistance(shape.longitude, shape.latitude, longitude, latitude);
    return distance > shape.radius * shape.conversion ? -1 : distance;
  }
  // The latitude condition is the cheaper one: checked first.
  if (latDistance(latitude, shape.latitude) > (shape.height * shape.conversion) / 2) return -1;
  if (geoDistance(longitude, latitude, shape.longitude, latitude) > (shape.width * shape.conversion) / 2) return -1;
  return geoDistance(shape.longitude, shape.latitude, longitude, latitude);
}

/** geohashEstimateStepsByRadius: the step whose cells are about the size of the search radius. */
function estimateSteps(rangeMeters: number, latitude: number): number {
  if (rangeMeters === 0) return GEO_STEP_MAX;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2;
  // Wider range towards the poles.
  if (latitude > 66 || latitude < -66) {
    step--;
    if (latitude > 80 || latitude < -80) step--;
  }
  return Math.min(Math.max(step, 1), GEO_STEP_MAX);
}

/** A cell at some step; zero when it was excluded from the search (GZERO). */
interface Cell {
  lat: number;
  long: number;
  zero: boolean;
}

const NEIGHBOURS = 9;
/** Redis's order: centre, N, S, E, W, NE, NW, SE, SW, as (dLat, dLong). */
const MOVES = [0, 0, 1, 0, -1, 0, 0, 1, 0, -1, 1, 1, 1, -1, -1, 1, -1, -1];
const cells: Cell[] = Array.from({ length: NEIGHBOURS }, () => ({ lat: 0, long: 0, zero: false }));
const areas: GeoArea[] = Array.from({ length: NEIGHBOURS }, () => ({ latMin: 0, latMax: 0, longMin: 0, longMax: 0 }));

/**
 * The centre cell and its 8 neighbours at `step`. A move wraps the moved
 * coordinate modulo 2^step and leaves the other one untouched, as
 * geohash_move_x/y do on the interleaved bits.
 */
function neighbourCells(longitude: number, latitude: number, step: number): void {
  const lat = cellOf(latitude, GEO_LAT_MIN, GEO_LAT_MAX, step);
  const long = cellOf(longitude, GEO_LONG_MIN, GEO_LONG_MAX, step);
  const size = 2 ** step;
  for (let i = 0; i < NEIGHBOURS; i++) {
    const dLat = MOVES[2 * i];
    const dLong = MOVES[2 * i + 1];
    const cell = cells[i];
    cell.lat = dLat === 0 ? lat : (((lat + dLat) % size) + size) % size;
    cell.long = dLong === 0 ? long : (((long + dLong) % size) + size) % size;
    cell.zero = false;
    decodeCell(cell.lat, cell.long, step, GEO_LAT_MIN, GEO_LAT_MAX, GEO_LONG_MIN, GEO_LONG_MAX, areas[i]);
  }
}

const CENTER = 0, NORTH = 1, SOUTH = 2, EAST = 3, WEST = 4, NORTH_EAST = 5, NORTH_WEST = 6, SOUTH_EAST = 7, SOUTH_WEST = 8;

/**
 * The score ranges [min, max) to scan for a search (geohashCalculateAreasByShapeWGS84
 * and membersOfAllNeighbors): up to 9 cells around the centre, without the cells the
 * shape's bounding box can't reach and without a cell equal to the one scanned
 * before it. Returns the number of ranges written to `ranges` as min, max pairs.
 */
export function searchRanges(shape: GeoShape, ranges: Float64Array): number {
  const { longitude, latitude, conversion } = shape;
  const height = conversion * (shape.box ? shape.height / 2 : shape.radius);
  const width = conversion * (shape.box ? shape.width / 2 : shape.radius);
  const latDelta = height / EARTH_RADIUS_IN_METERS / D_R;
  const longDeltaTop = width / EARTH_RADIUS_IN_METERS / Math.cos((latitude + latDelta) * D_R) / D_R;
  const longDeltaBottom = width / EARTH_RADIUS_IN_METERS / Math.cos((latitude - latDelta) * D_R) / D_R;
  // The box is widest at the edge nearest the equator.
  const longDelta = latitude < 0 ? longDeltaBottom : longDeltaTop;
  const minLong = longitude - longDelta;
  const maxLong = longitude + longDelta;
  const minLat = latitude - latDelta;
  const maxLat = latitude + latDelta;

  let radiusMeters = shape.box ? Math.sqrt((shape.width / 2) * (shape.width / 2) + (shape.height / 2) * (shape.height / 2)) : shape.radius;
  radiusMeters *= conversion;
  let step = estimateSteps(radiusMeters, latitude);
  neighbourCells(longitude, latitude, step);
  // Near a cell edge the estimated step may be too fine for the neighbours to cover the box.
  const tooSmall = areas[NORTH].latMax < maxLat || areas[SOUTH].latMin > minLat || areas[EAST].longMax < maxLong || areas[WEST].longMin > minLong;
  if (step > 1 && tooSmall) neighbourCells(longitude, latitude, --step);
  if (step >= 2) {
    const centre = areas[CENTER];
    if (centre.latMin < minLat) exclude(SOUTH, SOUTH_WEST, SOUTH_EAST);
    if (centre.latMax > maxLat) exclude(NORTH, NORTH_EAST, NORTH_WEST);
    if (centre.longMin < minLong) exclude(WEST, SOUTH_WEST, NORTH_WEST);
    if (centre.longMax > maxLong) exclude(EAST, SOUTH_EAST, NORTH_EAST);
  }

  let count = 0;
  let last = 0;
  const shift = BigInt(52 - step * 2);
  for (let i = 0; i < NEIGHBOURS; i++) {
    const cell = cells[i];
    if (cell.zero) continue;
    // Huge radiuses make neighbours coincide: skip a cell equal to the last one scanned (never compared with the centre).
    if (last !== 0 && cell.lat === cells[last].lat && cell.long === cells[last].long) continue;
    interleave(cell.lat, cell.long);
    const bits = (BigInt(interleaved.hi) << 32n) | BigInt(interleaved.lo);
    ranges[2 * count] = Number(bits << shift);
    ranges[2 * count + 1] = Number((bits + 1n) << shift);
    count++;
    last = i;
  }
  return count;
}

function exclude(a: number, b: number, c: number): void {
  cells[a].zero = true;
  cells[b].zero = true;
  cells[c].zero = true;
}
