// The arithmetic of Redis's INCRBYFLOAT and HINCRBYFLOAT, which compute in C
// `long double`: on x86-64 the x87 80-bit format, a 64-bit significand and a
// 15-bit exponent. A double cannot reproduce it (1e17 + 3 is 100000000000000003
// in Redis), so it is emulated exactly with BigInt: a value is mant * 2^exp,
// rounded to 64 significant bits (to nearest, ties to even) wherever strtold
// or the FPU would round, and printed with %.17Lf's exact decimal expansion.

import { parseFloat64 } from './number';

/** A finite long double: mant * 2^exp, |mant| < 2^64. */
export interface LongDouble {
  readonly mant: bigint;
  readonly exp: number;
}

export const LONG_DOUBLE_ZERO: LongDouble = { mant: 0n, exp: 0 };

const SIGNIFICAND_BITS = 64;
/** Magnitudes from 2^16384 up overflow to infinity. */
const MAX_EXPONENT = 16384;
/** Below 2^-16445 (half the smallest subnormal) strtold underflows to zero. */
const MIN_EXPONENT = -16445;
/** Redis's MAX_LONG_DOUBLE_CHARS: string2ld rejects texts this long. */
const MAX_LONG_DOUBLE_CHARS = 5 * 1024;
/** Decimal exponents beyond which strtold overflows (ERANGE, HUGE_VAL) or underflows to zero. */
const MAX_DECIMAL_EXPONENT = 4933;
const MIN_DECIMAL_EXPONENT = -4951;
/** %.17Lf */
const HUMAN_DECIMALS = 17;
const HUMAN_SCALE = 10n ** BigInt(HUMAN_DECIMALS);

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** Rounds mant * 2^exp to 64 significant bits, ties to even. */
function rounded(mant: bigint, exp: number): LongDouble {
  const negative = mant < 0n;
  let m = negative ? -mant : mant;
  const excess = bitLength(m) - SIGNIFICAND_BITS;
  if (excess > 0) {
    const shift = BigInt(excess);
    const rest = m & ((1n << shift) - 1n);
    const half = 1n << (shift - 1n);
    m >>= shift;
    if (rest > half || (rest === half && (m & 1n) === 1n)) m += 1n;
    exp += excess;
  }
  return { mant: negative ? -m : m, exp };
}

/** True when |v| overflowed the format (the FPU gives infinity). */
function overflows(v: LongDouble): boolean {
  return v.mant !== 0n && bitLength(v.mant < 0n ? -v.mant : v.mant) + v.exp > MAX_EXPONENT;
}

/** The exact value of a decimal D * 10^e, rounded as strtold rounds it. */
function fromDecimal(digits: bigint, exponent10: number): LongDouble {
  if (exponent10 >= 0) return rounded(digits * 10n ** BigInt(exponent10), 0);
  // digits / 10^-e: take enough quotient bits that rounding to 64 is exact, and fold the
  // remainder into a sticky bit.
  const divisor = 10n ** BigInt(-exponent10);
  const shift = Math.max(0, SIGNIFICAND_BITS + 2 + bitLength(divisor) - bitLength(digits));
  const scaled = digits << BigInt(shift);
  const quotient = scaled / divisor;
  const sticky = scaled % divisor === 0n ? 0n : 1n;
  return rounded((quotient << 1n) | sticky, -shift - 1);
}

/**
 * strtold as Redis's string2ld uses it: the whole text must be a number (decimal or hex);
 * an infinity comes back as a JS Infinity (the callers reject it); NaN, overflow and
 * underflow to zero are invalid (null).
 */
export function parseLongDouble(text: Uint8Array): LongDouble | number | null {
  if (text.length === 0 || text.length >= MAX_LONG_DOUBLE_CHARS) return null;
  const s = Buffer.from(text.buffer, text.byteOffset, text.length).toString('latin1');
  const decimal = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s);
  if (decimal === null || !/\d/.test(decimal[2] + (decimal[3] ?? ''))) {
    // Infinities and hex floats: a double holds them exactly.
    const asDouble = parseFloat64(text);
    if (asDouble === null || asDouble !== asDouble) return null;
    return Number.isFinite(asDouble) ? fromDouble(asDouble) : asDouble;
  }
  const [, sign, whole, fraction = '', exponent = '0'] = decimal;
  const significant = `${whole}${fraction}`.replace(/^0+/, '');
  if (significant === '') return LONG_DOUBLE_ZERO;
  const exponent10 = Number(exponent) - fraction.length;
  const magnitude = exponent10 + significant.length - 1;
  if (magnitude > MAX_DECIMAL_EXPONENT || magnitude < MIN_DECIMAL_EXPONENT) return null;
  const value = fromDecimal(BigInt(significant), exponent10);
  if (overflows(value) || bitLength(value.mant) + value.exp <= MIN_EXPONENT) return null;
  return sign === '-' ? { mant: -value.mant, exp: value.exp } : value;
}

/** A double as a long double (exactly: every double is one). */
function fromDouble(d: number): LongDouble {
  if (d === 0) return LONG_DOUBLE_ZERO;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, d);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const mant = biased === 0 ? fraction : fraction | (1n << 52n);
  const exp = (biased === 0 ? 1 : biased) - 1075;
  return { mant: d < 0 ? -mant : mant, exp };
}

/**
 * a + b, rounded once as the FPU does; null when the sum is infinite: an operand is an
 * infinity (a number, as parseLongDouble returns it) or the sum overflows.
 */
export function addLongDouble(a: LongDouble | number, b: LongDouble | number): LongDouble | null {
  if (typeof a === 'number' || typeof b === 'number') return null;
  const exp = Math.min(a.exp, b.exp);
  const sum = rounded((a.mant << BigInt(a.exp - exp)) + (b.mant << BigInt(b.exp - exp)), exp);
  return overflows(sum) ? null : sum;
}

/** Redis's ld2string(LD_STR_HUMAN): "%.17Lf" with trailing zeros (and a bare '.') removed, "-0" as "0". */
export function formatLongDoubleHuman(v: LongDouble): string {
  const negative = v.mant < 0n;
  const m = negative ? -v.mant : v.mant;
  let scaled: bigint;
  if (v.exp >= 0) {
    scaled = (m << BigInt(v.exp)) * HUMAN_SCALE;
  } else {
    // The exact value times 10^17, rounded to an integer (ties to even, as glibc prints).
    const numerator = m * HUMAN_SCALE;
    const shift = BigInt(-v.exp);
    scaled = numerator >> shift;
    const rest = numerator & ((1n << shift) - 1n);
    const half = 1n << (shift - 1n);
    if (rest > half || (rest === half && (scaled & 1n) === 1n)) scaled += 1n;
  }
  if (scaled === 0n) return '0';
  const digits = scaled.toString().padStart(HUMAN_DECIMALS + 1, '0');
  const whole = digits.slice(0, -HUMAN_DECIMALS);
  const fraction = digits.slice(-HUMAN_DECIMALS).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction === '' ? '' : `.${fraction}`}`;
}
