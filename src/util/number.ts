// Redis number parsing and formatting over bytes (string2ll, strtod, %.17g, %.17Lf).

const CH_MINUS = 0x2d;
const CH_PLUS = 0x2b;
const CH_DOT = 0x2e;
const CH_0 = 0x30;
const CH_9 = 0x39;

/** Redis LONG_STR_SIZE: string2ll rejects inputs of this length or longer. */
const LONG_STR_SIZE = 21;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * string2ll over bytes[start, end) without allocating.
 * Returns NaN when invalid, +/-Infinity when valid (fits in int64) but beyond
 * Number.MAX_SAFE_INTEGER, otherwise the exact value.
 */
export function parseSafeIntegerAt(bytes: Uint8Array, start: number, end: number): number {
  const len = end - start;
  if (len <= 0 || len >= LONG_STR_SIZE) return NaN;
  let i = start;
  let negative = false;
  if (bytes[i] === CH_MINUS) {
    negative = true;
    if (++i === end) return NaN;
  }
  let c = bytes[i];
  if (c === CH_0) return len === 1 ? 0 : NaN; // only a lone "0" may start with 0 ("-0" is invalid)
  if (c < CH_0 + 1 || c > CH_9) return NaN;
  let v = c - CH_0;
  for (i++; i < end; i++) {
    c = bytes[i];
    if (c < CH_0 || c > CH_9) return NaN;
    v = v * 10 + (c - CH_0);
  }
  if (v <= MAX_SAFE) return negative ? -v : v;
  // v is inexact here; decide the int64 range exactly on the slow path.
  const exact = bigIntFromDigits(bytes, start, end);
  if (exact < INT64_MIN || exact > INT64_MAX) return NaN;
  return negative ? -Infinity : Infinity;
}

function bigIntFromDigits(bytes: Uint8Array, start: number, end: number): bigint {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]);
  return BigInt(s);
}

/** Strict Redis string2ll: optional '-', no '+', no leading zeros (except "0"), no spaces, fits in signed 64-bit. Returns null if invalid. */
export function parseInteger(bytes: Uint8Array): bigint | null {
  const v = parseSafeIntegerAt(bytes, 0, bytes.length);
  if (v !== v) return null;
  if (v === Infinity || v === -Infinity) return bigIntFromDigits(bytes, 0, bytes.length);
  return BigInt(v);
}

/** Same as parseInteger but as a JS number: null if invalid, undefined if valid but |v| > Number.MAX_SAFE_INTEGER. */
export function parseSafeInteger(bytes: Uint8Array): number | null | undefined {
  const v = parseSafeIntegerAt(bytes, 0, bytes.length);
  if (v !== v) return null;
  if (v === Infinity || v === -Infinity) return undefined;
  return v;
}

function isDigit(c: number): boolean {
  return c >= CH_0 && c <= CH_9;
}

function isHexDigit(c: number): boolean {
  return (c >= CH_0 && c <= CH_9) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
}

function hexValue(c: number): number {
  return c <= CH_9 ? c - CH_0 : (c | 0x20) - 0x61 + 10;
}

/** Case-insensitive compare of bytes[at..] with an ASCII lowercase word. */
function matchesWordAt(bytes: Uint8Array, at: number, word: string): boolean {
  if (bytes.length - at < word.length) return false;
  for (let i = 0; i < word.length; i++) {
    if ((bytes[at + i] | 0x20) !== word.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * Redis string2d/string2ld: the whole input must be one strtod number.
 * Accepts decimal ("1e3", ".5", "5."), hex floats ("0x1p4"), "inf"/"infinity"
 * in any case with optional sign; rejects empty input, spaces, NaN, trailing
 * garbage, and out-of-range literals (overflow to inf, non-zero underflow to 0)
 * as strtod's ERANGE check does. Returns null if invalid.
 */
export function parseFloat64(bytes: Uint8Array): number | null {
  const len = bytes.length;
  if (len === 0) return null;
  let i = 0;
  let negative = false;
  if (bytes[0] === CH_MINUS || bytes[0] === CH_PLUS) {
    negative = bytes[0] === CH_MINUS;
    i = 1;
  }
  if (matchesWordAt(bytes, i, 'inf')) {
    const rest = len - i;
    if (rest === 3 || (rest === 8 && matchesWordAt(bytes, i, 'infinity'))) return negative ? -Infinity : Infinity;
    return null;
  }
  if (len - i > 2 && bytes[i] === CH_0 && (bytes[i + 1] | 0x20) === 0x78) {
    const v = parseHexFloat(bytes, i + 2);
    if (v === null) return null;
    return negative ? -v : v;
  }
  // Decimal: digits [. digits] [e [+-] digits], at least one mantissa digit.
  const mantissaStart = i;
  let mantissaDigits = 0;
  let nonZeroMantissa = false;
  for (; i < len && isDigit(bytes[i]); i++) {
    mantissaDigits++;
    if (bytes[i] !== CH_0) nonZeroMantissa = true;
  }
  if (i < len && bytes[i] === CH_DOT) {
    for (i++; i < len && isDigit(bytes[i]); i++) {
      mantissaDigits++;
      if (bytes[i] !== CH_0) nonZeroMantissa = true;
    }
  }
  if (mantissaDigits === 0) return null;
  if (i < len) {
    if ((bytes[i] | 0x20) !== 0x65) return null;
    i++;
    if (i < len && (bytes[i] === CH_PLUS || bytes[i] === CH_MINUS)) i++;
    if (i === len) return null; // strtod would stop before the 'e': trailing garbage
    for (; i < len; i++) if (!isDigit(bytes[i])) return null;
  }
  let text = '';
  for (let j = mantissaStart; j < len; j++) text += String.fromCharCode(bytes[j]);
  const v = Number(text); // syntax already checked, so Number's extra leniency (spaces, "0b", "Infinity") never applies
  if (v === Infinity || (v === 0 && nonZeroMantissa)) return null;
  return negative ? -v : v;
}

/** strtod hex float after "0x": hexdigits [. hexdigits] [p [+-] digits]. */
function parseHexFloat(bytes: Uint8Array, start: number): number | null {
  const len = bytes.length;
  let mantissa = 0n;
  let digits = 0;
  let binaryExponent = 0;
  let i = start;
  for (; i < len && isHexDigit(bytes[i]); i++, digits++) mantissa = (mantissa << 4n) | BigInt(hexValue(bytes[i]));
  if (i < len && bytes[i] === CH_DOT) {
    for (i++; i < len && isHexDigit(bytes[i]); i++, digits++) {
      mantissa = (mantissa << 4n) | BigInt(hexValue(bytes[i]));
      binaryExponent -= 4;
    }
  }
  if (digits === 0) return null;
  if (i < len) {
    if ((bytes[i] | 0x20) !== 0x70) return null;
    i++;
    let expNegative = false;
    if (i < len && (bytes[i] === CH_PLUS || bytes[i] === CH_MINUS)) expNegative = bytes[i++] === CH_MINUS;
    if (i === len) return null;
    let exp = 0;
    for (; i < len; i++) {
      if (!isDigit(bytes[i])) return null;
      if (exp < 1e6) exp = exp * 10 + (bytes[i] - CH_0);
    }
    binaryExponent += expNegative ? -exp : exp;
  }
  if (mantissa === 0n) return 0;
  // Number(bigint) rounds to nearest; scaling by powers of two is exact outside the subnormal range.
  let v = Number(mantissa);
  while (binaryExponent > 0 && v !== Infinity) {
    const step = Math.min(binaryExponent, 1000);
    v *= 2 ** step;
    binaryExponent -= step;
  }
  while (binaryExponent < 0 && v !== 0) {
    const step = Math.min(-binaryExponent, 1000);
    v /= 2 ** step;
    binaryExponent += step;
  }
  if (v === Infinity || v === 0) return null;
  return v;
}

/** Decimal digits and exponent of |d| rounded to `precision` significant digits, C printf style (ties to even on the exact binary value). */
function significantDigits(d: number, precision: number): { digits: string; exponent: number } {
  const exp = d.toExponential(precision - 1);
  const ePos = exp.indexOf('e');
  let digits = exp[0] + exp.slice(2, ePos);
  let exponent = Number(exp.slice(ePos + 1));
  // JS rounds exact halfway cases away from zero; glibc rounds them to even.
  const wider = d.toExponential(precision + 3);
  const wePos = wider.indexOf('e');
  const widerDigits = wider[0] + wider.slice(2, wePos);
  if (widerDigits.endsWith('5000') && isExactDecimalTie(d, Number(wider.slice(wePos + 1)) - precision + 1)) {
    const truncated = widerDigits.slice(0, precision);
    if ((truncated.charCodeAt(precision - 1) & 1) === 0) {
      digits = truncated;
      exponent = Number(wider.slice(wePos + 1));
    }
  }
  return { digits, exponent };
}

/** True when |d| is exactly (n + 1/2) * 10^unitExponent for an integer n. */
function isExactDecimalTie(d: number, unitExponent: number): boolean {
  const { mantissa, exponent2 } = decompose(Math.abs(d));
  // |d| / 10^unitExponent * 2 must be an odd integer: mantissa * 2^(exponent2+1) * 10^-unitExponent.
  let num = mantissa;
  let den = 1n;
  const twos = exponent2 + 1 - unitExponent;
  if (twos >= 0) num <<= BigInt(twos);
  else den <<= BigInt(-twos);
  const fives = -unitExponent;
  if (fives >= 0) num *= 5n ** BigInt(fives);
  else den *= 5n ** BigInt(-fives);
  return num % den === 0n && ((num / den) & 1n) === 1n;
}

const decomposeView = new DataView(new ArrayBuffer(8));

/** Exact |d| = mantissa * 2^exponent2 for a finite positive double. */
function decompose(d: number): { mantissa: bigint; exponent2: number } {
  decomposeView.setFloat64(0, d);
  const hi = decomposeView.getUint32(0);
  const lo = decomposeView.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  const fraction = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (biased === 0) return { mantissa: fraction, exponent2: -1074 };
  return { mantissa: fraction | (1n << 52n), exponent2: biased - 1075 };
}

/** Redis 7.0 addReplyDouble text: "%.17g" ("1.1000000000000001", "3", "1e+21", "inf", "-inf"). */
export function formatDouble(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (d !== d) return 'nan';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  const sign = d < 0 ? '-' : '';
  const { digits, exponent } = significantDigits(Math.abs(d), 17);
  const trimmed = digits.replace(/0+$/, '');
  if (exponent < -4 || exponent >= 17) {
    const mantissa = trimmed.length > 1 ? trimmed[0] + '.' + trimmed.slice(1) : trimmed;
    const absExp = Math.abs(exponent);
    return `${sign}${mantissa}e${exponent < 0 ? '-' : '+'}${absExp < 10 ? '0' : ''}${absExp}`;
  }
  return sign + placeDecimalPoint(trimmed, exponent);
}

/**
 * C printf("%.*f", decimals, d): the exact binary value rounded to `decimals` places,
 * ties to even as glibc does ("inf", "-inf", "nan" for non-finite values).
 */
export function formatFixed(d: number, decimals: number): string {
  if (d !== d) return 'nan';
  if (d === Infinity || d === -Infinity) return d > 0 ? 'inf' : '-inf';
  const sign = d < 0 || Object.is(d, -0) ? '-' : '';
  let scaled = 0n;
  if (d !== 0) {
    const { mantissa, exponent2 } = decompose(Math.abs(d));
    const num = mantissa * 10n ** BigInt(decimals);
    if (exponent2 >= 0) {
      scaled = num << BigInt(exponent2);
    } else {
      const shift = BigInt(-exponent2);
      scaled = num >> shift;
      const rest = num - (scaled << shift);
      const half = 1n << (shift - 1n);
      if (rest > half || (rest === half && (scaled & 1n) === 1n)) scaled++;
    }
  }
  const digits = scaled.toString().padStart(decimals + 1, '0');
  if (decimals === 0) return sign + digits;
  return `${sign}${digits.slice(0, digits.length - decimals)}.${digits.slice(digits.length - decimals)}`;
}

/** Fixed notation of 0.d1d2d3... * 10^(exponent+1), no trailing zeros after the point. */
function placeDecimalPoint(digits: string, exponent: number): string {
  if (exponent < 0) return '0.' + '0'.repeat(-exponent - 1) + digits;
  if (digits.length <= exponent + 1) return digits + '0'.repeat(exponent + 1 - digits.length);
  return digits.slice(0, exponent + 1) + '.' + digits.slice(exponent + 1);
}

const DIGIT_BYTES = 0x30;

/** Integer to ASCII bytes, writing digits straight into a right-sized Buffer. */
export function integerBytes(n: number | bigint): Buffer {
  if (typeof n === 'bigint') return Buffer.from(n.toString(), 'latin1');
  if (!Number.isSafeInteger(n)) throw new RangeError(`integerBytes: not a safe integer: ${n}`);
  const negative = n < 0;
  let v = negative ? -n : n;
  let len = negative ? 2 : 1;
  for (let t = v; t >= 10; t = Math.floor(t / 10)) len++;
  const out = Buffer.allocUnsafe(len);
  for (let i = len - 1; i >= (negative ? 1 : 0); i--) {
    const q = Math.floor(v / 10);
    out[i] = DIGIT_BYTES + (v - q * 10);
    v = q;
  }
  if (negative) out[0] = CH_MINUS;
  return out;
}
