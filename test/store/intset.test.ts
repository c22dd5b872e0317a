// IntSet against a sorted-array model of bigints, across width upgrades.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IntSet, memberInteger } from '../../src/store/intset';

const interesting = fc.oneof(
  fc.integer({ min: -40000, max: 40000 }).map(BigInt),
  fc.constantFrom(-32768n, 32767n, 32768n, -32769n, 2147483647n, 2147483648n, -2147483648n, -2147483649n),
  fc.constantFrom(9007199254740991n, 9007199254740992n, -9007199254740993n, (1n << 63n) - 1n, -(1n << 63n)),
  fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
);

const asValue = (v: bigint) => memberInteger(Buffer.from(v.toString()))!;

test('intset matches a sorted model', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.boolean(), interesting), { maxLength: 200 }), (ops) => {
      const set = new IntSet();
      const model = new Set<bigint>();
      for (const [add, v] of ops) {
        if (add) assert.equal(set.add(asValue(v)), !model.has(v));
        else assert.equal(set.remove(asValue(v)), model.has(v));
        if (add) model.add(v);
        else model.delete(v);
        assert.equal(set.count, model.size);
      }
      const sorted = [...model].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const got: bigint[] = [];
      for (let i = 0; i < set.count; i++) got.push(BigInt(set.get(i)));
      assert.deepEqual(got, sorted);
      for (const v of sorted) assert.ok(set.has(asValue(v)));
      const copy = IntSet.fromSerialized(set.serialize());
      assert.equal(copy.count, set.count);
      for (let i = 0; i < set.count; i++) assert.equal(BigInt(copy.get(i)), BigInt(set.get(i)));
    }),
    { numRuns: 200 },
  );
});

test('width grows with the widest member', () => {
  const set = new IntSet();
  set.add(1);
  assert.equal(set.width, 2);
  set.add(70000);
  assert.equal(set.width, 4);
  set.add(-(2 ** 40));
  assert.equal(set.width, 8);
  assert.equal(set.get(0), -(2 ** 40));
  assert.equal(memberInteger(Buffer.from('01')), null);
  assert.equal(memberInteger(Buffer.from('9223372036854775808')), null);
  assert.equal(memberInteger(Buffer.from('-9223372036854775808')), -(1n << 63n));
});
