import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatDouble, integerBytes, parseFloat64, parseInteger, parseSafeInteger, parseSafeIntegerAt } from '../../src/util/number';

const bytes = (s: string) => Buffer.from(s, 'latin1');

test('parseInteger: string2ll rules (validity recorded from redis-server 7.0.15 INCRBY)', () => {
  const valid: [string, bigint][] = [
    ['0', 0n],
    ['-1', -1n],
    ['42', 42n],
    ['9007199254740993', 9007199254740993n],
    ['9223372036854775807', 9223372036854775807n],
    ['-9223372036854775808', -9223372036854775808n],
  ];
  for (const [s, v] of valid) assert.equal(parseInteger(bytes(s)), v, s);
  const invalid = ['-0', '+1', '01', '00', ' 1', '1 ', '', '-', '1a', '9223372036854775808', '-9223372036854775809', '123456789012345678901', '1.0', '0x10', '\u00001'];
  for (const s of invalid) assert.equal(parseInteger(bytes(s)), null, JSON.stringify(s));
});

test('parseSafeInteger: number, null when invalid, undefined beyond the safe range', () => {
  assert.equal(parseSafeInteger(bytes('12345')), 12345);
  assert.equal(parseSafeInteger(bytes('-9007199254740991')), -9007199254740991);
  assert.equal(parseSafeInteger(bytes('9007199254740991')), 9007199254740991);
  assert.equal(parseSafeInteger(bytes('9007199254740992')), undefined);
  assert.equal(parseSafeInteger(bytes('-9223372036854775808')), undefined);
  assert.equal(parseSafeInteger(bytes('9223372036854775808')), null);
  assert.equal(parseSafeInteger(bytes('01')), null);
  assert.equal(parseSafeIntegerAt(bytes('*123\r\n'), 1, 4), 123);
  assert.ok(Number.isNaN(parseSafeIntegerAt(bytes('$-0\r\n'), 1, 3)));
});

test('property: parseInteger agrees with a BigInt-based string2ll', () => {
  const reference = (s: string): bigint | null => {
    if (!/^(0|-?[1-9][0-9]*)$/.test(s) || s.length > 20) return null;
    const v = BigInt(s);
    return v >= -(1n << 63n) && v < 1n << 63n ? v : null;
  };
  const text = fc.oneof(
    fc.bigInt({ min: -(1n << 64n), max: 1n << 64n }).map(String),
    fc.string({ unit: fc.constantFrom('0', '1', '9', '-', '+', ' ', 'a'), maxLength: 22 }),
  );
  fc.assert(
    fc.property(text, (s) => {
      const expected = reference(s);
      assert.equal(parseInteger(bytes(s)), expected);
      const safe = parseSafeInteger(bytes(s));
      if (expected === null) assert.equal(safe, null);
      else if (expected > BigInt(Number.MAX_SAFE_INTEGER) || expected < -BigInt(Number.MAX_SAFE_INTEGER)) assert.equal(safe, undefined);
      else assert.equal(safe, Number(expected));
    }),
    { numRuns: 5000 },
  );
});

/** ZADD z <input> a; ZSCORE z a on redis-server 7.0.15 (null: "value is not a valid float"). */
const ZSCORE_RECORDED: [string, string | null][] = [
  ["1.1", "1.1000000000000001"],
  ["3", "3"],
  ["1e21", "1e+21"],
  ["inf", "inf"],
  ["-inf", "-inf"],
  ["+inf", "inf"],
  ["0.1", "0.10000000000000001"],
  ["10.5", "10.5"],
  ["1e20", "1e+20"],
  [".5", "0.5"],
  ["5.", "5"],
  ["1e3", "1000"],
  ["123456789012345.125", "123456789012345.12"],
  ["0.30000000000000004", "0.30000000000000004"],
  ["0", "0"],
  ["1e-5", "1.0000000000000001e-05"],
  ["0.0001", "0.0001"],
  ["0e-400", "0"],
  ["0x10", "16"],
  ["0x1.8p1", "3"],
  ["1.5e-7", "1.4999999999999999e-07"],
  ["12345678901234567890", "1.2345678901234567e+19"],
  ["3.0", "3"],
  ["5.0e3", "5000"],
  ["-1.1", "-1.1000000000000001"],
  ["1e308", "1e+308"],
  ["1e-310", "9.9999999999999694e-311"],
  ["2.5", "2.5"],
  ["0.1234567890123456789", "0.12345678901234568"],
  ["100000.1", "100000.10000000001"],
  ["1e16", "10000000000000000"],
  ["1e17", "1e+17"],
  ["123.456", "123.456"],
  ["Infinity", "inf"],
  ["INF", "inf"],
  ["-INFINITY", "-inf"],
  ["4.35", "4.3499999999999996"],
  ["1.7976931348623157e308", "1.7976931348623157e+308"],
  ["2.2250738585072014e-308", "2.2250738585072014e-308"],
  ["5e-324", "4.9406564584124654e-324"],
  ["-3.14159", "-3.1415899999999999"],
  ["1e-4", "0.0001"],
  ["0.00001", "1.0000000000000001e-05"],
  ["9007199254740993", "9007199254740992"],
  ["1E2", "100"],
  ["+5", "5"],
  ["-.5", "-0.5"],
  ["0x.8", "0.5"],
  ["1e+2", "100"],
  ["1e-2", "0.01"],
  ["00012", "12"],
  ["-0012.50", "-12.5"],
  ["nan", null],
  ["NaN", null],
  ["-nan", null],
  [" 1", null],
  ["1 ", null],
  ["", null],
  ["abc", null],
  ["1e", null],
  ["1e+", null],
  [".", null],
  ["-", null],
  ["+", null],
  ["e5", null],
  ["1e400", null],
  ["1e-400", null],
  ["0x", null],
  ["0x1p", null],
  ["1.2.3", null],
  ["1,5", null],
  ["infinity1", null],
  ["inf ", null],
  ["0b101", null],
  ["1_000", null],
  ["--1", null],
  ["+-1", null],
  ["1e5.5", null],
  ["0xg", null],
];

test('parseFloat64 + formatDouble reproduce ZADD/ZSCORE of redis-server 7.0.15', () => {
  for (const [input, expected] of ZSCORE_RECORDED) {
    const parsed = parseFloat64(bytes(input));
    assert.equal(parsed === null ? null : formatDouble(parsed), expected, JSON.stringify(input));
  }
});

test('formatDouble: %.17g details', () => {
  assert.equal(formatDouble(-0), '-0'); // %.17g; ZSCORE of a listpack zset shows "0" because the score is stored as an integer there
  assert.equal(formatDouble(NaN), 'nan');
  assert.equal(formatDouble(1e-4), '0.0001');
  assert.equal(formatDouble(1e-5), '1.0000000000000001e-05');
  assert.equal(formatDouble(1e100), '1e+100');
  assert.equal(formatDouble(123456789012345.125), '123456789012345.12'); // exact tie: glibc rounds half to even
  assert.equal(formatDouble(123456789012345.375), '123456789012345.38');
  assert.equal(formatDouble(0.5), '0.5');
  assert.equal(formatDouble(1e16), '10000000000000000');
});

test('property: formatDouble round-trips and has at most 17 significant digits', () => {
  fc.assert(
    fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (d) => {
      const s = formatDouble(d);
      assert.ok(Object.is(Number(s), d) || (d === 0 && Number(s) === 0), `${d} -> ${s}`);
      const digits = s.replace(/^-/, '').replace(/e.*$/, '').replace('.', '').replace(/^0+/, '');
      assert.ok(digits.length <= 17, s);
    }),
    { numRuns: 5000 },
  );
});

test('integerBytes', () => {
  for (const n of [0, 7, 10, -1, -10, 123456789, -9007199254740991, 9007199254740991]) {
    assert.equal(integerBytes(n).toString('latin1'), String(n));
  }
  assert.equal(integerBytes(-9223372036854775808n).toString('latin1'), '-9223372036854775808');
  assert.throws(() => integerBytes(1.5), RangeError);
  fc.assert(fc.property(fc.maxSafeInteger(), (n) => assert.equal(integerBytes(n).toString('latin1'), String(n))));
});
