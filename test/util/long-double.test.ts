// INCRBYFLOAT / HINCRBYFLOAT arithmetic: an exact emulation of the x87 80-bit long double
// Redis computes in, checked against outputs recorded from redis-server 7.0.15 and, when
// redis-server is installed, against it directly on random operands.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { addLongDouble, formatLongDoubleHuman, parseLongDouble } from '../../src/util/long-double';
import { startRedis } from '../helpers/server';
import { RawClient } from '../helpers/resp';

/** What INCRBYFLOAT replies for a key holding `a`, incremented by `b`: the text, or an error. */
function incrbyfloat(a: string, b: string): string {
  const current = parseLongDouble(Buffer.from(a, 'latin1'));
  const increment = parseLongDouble(Buffer.from(b, 'latin1'));
  if (current === null || increment === null) return '-ERR value is not a valid float';
  const sum = addLongDouble(current, increment);
  return sum === null ? '-ERR increment would produce NaN or Infinity' : formatLongDoubleHuman(sum);
}

/** SET f <a>; INCRBYFLOAT f <b> on redis-server 7.0.15. */
const RECORDED: [string, string, string][] = [
  ['0', '1.1', '1.1'],
  ['0', '3', '3'],
  ['0', '1e21', '1000000000000000000000'],
  ['0', '0.1', '0.1'],
  ['0', '10.5', '10.5'],
  ['0', '1e20', '100000000000000000000'],
  ['0', '.5', '0.5'],
  ['0', '5.', '5'],
  ['0', '-0', '0'],
  ['0', '1e-5', '0.00001'],
  ['0', '0x10', '16'],
  ['0', '1.5e-7', '0.00000015'],
  ['0', '-1.1', '-1.1'],
  ['0', '1e-310', '0'],
  ['0', '0.1234567890123456789', '0.12345678901234568'],
  ['0', '1e16', '10000000000000000'],
  ['0', '1e17', '100000000000000000'],
  ['0', '4.35', '4.35'],
  ['0.1', '0.2', '0.3'],
  ['1', '-1.1', '-0.1'],
  ['10.5', '0.1', '10.6'],
  ['5.0e3', '2.0e2', '5200'],
  ['3.14', '2.72', '5.86'],
  ['0.7', '0.1', '0.8'],
  ['1.1', '2.2', '3.3'],
  ['100', '0.01', '100.01'],
  ['1e-3', '1e-3', '0.002'],
  ['-5', '5', '0'],
  ['1.23456789', '1e-9', '1.234567891'],
  ['99.99', '0.01', '100'],
  ['2', '0.0000001', '2.0000001'],
  ['12.34', '-12.3', '0.04'],
  ['0.1', '-0.3', '-0.2'],
  ['-0.5', '0.25', '-0.25'],
  ['3.3', '3.3', '6.6'],
  ['0.000001', '0.000002', '0.000003'],
  ['4.35', '100', '104.35'],
  // Where a double falls short: long double noise, precision beyond 2^53, range beyond 1e308.
  ['1000000', '0.1', '1000000.10000000000002274'],
  ['7', '1e-17', '7.00000000000000001'],
  ['123456789012345.125', '0', '123456789012345.125'],
  ['9223372036854775807', '1.5', '9223372036854775808'],
  ['1e17', '3', '100000000000000003'],
  ['12345678901234567890', '0', '12345678901234567890'],
];

test('INCRBYFLOAT results recorded from redis-server 7.0.15', () => {
  for (const [a, b, expected] of RECORDED) assert.equal(incrbyfloat(a, b), expected, `${a} + ${b}`);
  assert.equal(incrbyfloat('0', 'inf'), '-ERR increment would produce NaN or Infinity');
  assert.equal(incrbyfloat('0', 'nan'), '-ERR value is not a valid float');
  assert.equal(incrbyfloat('0', '1e99999'), '-ERR value is not a valid float');
  assert.equal(incrbyfloat('0', ' 1'), '-ERR value is not a valid float');
  assert.equal(incrbyfloat('-1e-30', '0'), '0');
});

/** Decimal texts of every magnitude INCRBYFLOAT meets: integers near 2^63, long fractions, exponents. */
const decimalText = fc
  .tuple(
    fc.constantFrom('', '-'),
    fc.stringMatching(/^[0-9]{1,22}$/),
    fc.option(fc.stringMatching(/^[0-9]{1,20}$/), { nil: undefined }),
    fc.option(fc.integer({ min: -40, max: 40 }), { nil: undefined }),
  )
  .map(([sign, whole, fraction, exponent]) => `${sign}${whole}${fraction === undefined ? '' : `.${fraction}`}${exponent === undefined ? '' : `e${exponent}`}`);

test('INCRBYFLOAT on random operands replies what redis-server replies', async (t) => {
  const redis = await startRedis();
  if (redis === null) {
    t.skip('redis-server not installed');
    return;
  }
  const client = await RawClient.connect(redis.port);
  try {
    await fc.assert(
      fc.asyncProperty(decimalText, decimalText, async (a, b) => {
        await client.command('SET', 'f', a);
        const reply = (await client.command('INCRBYFLOAT', 'f', b)).toString('latin1');
        const expected = incrbyfloat(a, b);
        assert.equal(reply.startsWith('-') ? reply.trimEnd() : reply.split('\r\n')[1], expected, `${a} + ${b}`);
      }),
      { numRuns: 1500 },
    );
  } finally {
    await client.close();
    await redis.stop();
  }
});
