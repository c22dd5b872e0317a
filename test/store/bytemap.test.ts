// ByteMap against a Map model: random sets, deletes and value rewrites
// (which exercise hole accounting and compaction), SCAN's guarantee across
// growth and shrinking, random slots and serialization.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ByteMap } from '../../src/store/bytemap';

function keyOf(i: number): Buffer {
  return Buffer.from(i % 7 === 0 ? `k${i}`.repeat(1 + (i % 5) * 10) : `k${i}`);
}

function valueOf(i: number, len: number): Buffer {
  return Buffer.alloc(len, i & 0xff);
}

function checkModel(map: ByteMap, model: Map<string, Buffer | null>): void {
  assert.equal(map.size, model.size);
  const seen = new Map<string, Buffer | null>();
  for (let s = map.nextSlot(0); s >= 0; s = map.nextSlot(s + 1)) {
    seen.set(map.keyAt(s).toString('latin1'), map.withValues ? Buffer.from(map.valueAt(s)) : null);
  }
  assert.deepEqual(seen, model);
}

test('bytemap matches a Map model', () => {
  const op = fc.oneof(
    fc.record({ op: fc.constant('set' as const), key: fc.nat(300), len: fc.constantFrom(0, 1, 5, 127, 128, 300, 20000) }),
    fc.record({ op: fc.constant('delete' as const), key: fc.nat(300) }),
    fc.record({ op: fc.constant('fill' as const), from: fc.nat(1000), n: fc.integer({ min: 1, max: 400 }) }),
    fc.record({ op: fc.constant('drain' as const), keep: fc.nat(20) }),
  );
  fc.assert(
    fc.property(fc.boolean(), fc.array(op, { maxLength: 40 }), (withValues, ops) => {
      const map = new ByteMap(withValues);
      const model = new Map<string, Buffer | null>();
      const put = (k: number, len: number) => {
        const key = keyOf(k);
        const value = valueOf(k + len, len);
        const isNew = withValues ? map.set(key, value) : map.add(key);
        assert.equal(isNew, !model.has(key.toString('latin1')));
        model.set(key.toString('latin1'), withValues ? value : null);
      };
      for (const o of ops) {
        if (o.op === 'set') put(o.key, o.len);
        else if (o.op === 'fill') for (let i = 0; i < o.n; i++) put(o.from + i, (o.from + i) % 40);
        else if (o.op === 'delete') assert.equal(map.delete(keyOf(o.key)), model.delete(keyOf(o.key).toString('latin1')));
        else {
          for (const k of [...model.keys()].slice(o.keep)) {
            assert.ok(map.delete(Buffer.from(k, 'latin1')));
            model.delete(k);
          }
        }
        for (const [k, v] of model) {
          const slot = map.find(Buffer.from(k, 'latin1'));
          assert.ok(slot >= 0);
          if (withValues) assert.deepEqual(map.valueAt(slot), v);
        }
      }
      checkModel(map, model);
      checkModel(ByteMap.fromSerialized(map.serialize(), withValues), model);
      if (model.size > 0) {
        const slot = map.randomSlot();
        assert.ok(model.has(map.keyAt(slot).toString('latin1')));
      }
    }),
    { numRuns: 60 },
  );
});

test('scan returns every entry present throughout, across growth and shrinking', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 3000 }), fc.boolean(), (initial, count, churn, grow) => {
      const map = new ByteMap(false);
      for (let i = 0; i < initial; i++) map.add(keyOf(i));
      const stable = new Set<string>();
      for (let i = 0; i < initial; i += 2) stable.add(keyOf(i).toString('latin1'));
      const seen = new Set<string>();
      const out: number[] = [];
      let cursor = 0;
      let step = 0;
      do {
        out.length = 0;
        cursor = map.scan(cursor, count, out);
        for (const s of out) seen.add(map.keyAt(s).toString('latin1'));
        // Between calls: add new keys (growth) or remove the odd ones (shrinking).
        if (step++ < 4) {
          if (grow) for (let i = 0; i < churn; i++) map.add(keyOf(100000 + step * 10000 + i));
          else for (let i = 1; i < initial; i += 2) map.delete(keyOf(i));
        }
      } while (cursor !== 0);
      for (const k of stable) assert.ok(seen.has(k), `scan missed ${k}`);
    }),
    { numRuns: 40 },
  );
});

test('holes are reclaimed', () => {
  const map = new ByteMap(true);
  for (let round = 0; round < 20; round++) {
    for (let i = 0; i < 2000; i++) map.set(keyOf(i), valueOf(i, 50 + round));
  }
  assert.ok(map.allocatedBytes < 2000 * 200, `allocated ${map.allocatedBytes}`);
  for (let i = 0; i < 2000; i++) map.delete(keyOf(i));
  assert.equal(map.size, 0);
  assert.ok(map.allocatedBytes < 64 * 1024, `allocated after drain ${map.allocatedBytes}`);
});
