// Listpack against an array-of-Buffers model: random inserts, replaces and
// deletes at random positions, checking contents, navigation both ways,
// find() and serialize/fromSerialized after every step.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Listpack } from '../../src/store/listpack';

const VALUES: Buffer[] = [
  '', '0', '1', '-1', '127', '128', '-128', '32767', '-32768', '2147483648', '140737488355327', '140737488355328',
  '9007199254740991', '-9007199254740991', '9007199254740992', '9223372036854775807', '007', '-0', '+1', '1.5', ' 1',
  'a', 'field:1', 'x'.repeat(63), 'y'.repeat(64), 'z'.repeat(4095), 'w'.repeat(4096), 'v'.repeat(70000),
].map((s) => Buffer.from(s));
VALUES.push(Buffer.from([0, 0xff, 0x80, 0x0d, 0x0a]));

const value = fc.nat(VALUES.length - 1).map((i) => VALUES[i]);
const operation = fc.oneof(
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), value }),
  fc.record({ op: fc.constant('append' as const), value }),
  fc.record({ op: fc.constant('prepend' as const), value }),
  fc.record({ op: fc.constant('replace' as const), at: fc.nat(), value }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 4 }) }),
);

function check(lp: Listpack, model: Buffer[]): void {
  assert.equal(lp.count, model.length);
  const forward: Buffer[] = [];
  for (let p = lp.first(); p >= 0; p = lp.next(p)) forward.push(lp.copy(p));
  assert.deepEqual(forward, model);
  const backward: Buffer[] = [];
  for (let p = lp.last(); p >= 0; p = lp.prev(p)) backward.push(lp.copy(p));
  assert.deepEqual(backward.reverse(), model);
  for (let i = 0; i < model.length; i++) {
    const p = lp.seek(i);
    assert.ok(lp.equals(p, model[i]));
    assert.equal(lp.valueLength(p), model[i].length);
    assert.equal(lp.seek(i - model.length), p);
  }
  assert.equal(lp.seek(model.length), -1);
  for (const v of VALUES.slice(0, 12)) {
    const expected = model.findIndex((m) => m.equals(v));
    const p = lp.find(v);
    assert.equal(p, expected < 0 ? -1 : lp.seek(expected));
  }
  const copy = Listpack.fromSerialized(lp.serialize(), lp.count);
  const copied: Buffer[] = [];
  for (let p = copy.first(); p >= 0; p = copy.next(p)) copied.push(copy.copy(p));
  assert.deepEqual(copied, model);
  copy.free();
}

test('listpack matches an array model', () => {
  fc.assert(
    fc.property(fc.array(operation, { maxLength: 60 }), (ops) => {
      const lp = new Listpack();
      const model: Buffer[] = [];
      for (const o of ops) {
        if (o.op === 'append') {
          lp.append(o.value);
          model.push(o.value);
        } else if (o.op === 'prepend') {
          lp.prepend(o.value);
          model.unshift(o.value);
        } else if (o.op === 'insert') {
          const i = o.at % (model.length + 1);
          lp.insertAt(i === model.length ? lp.byteLength : lp.seek(i), o.value);
          model.splice(i, 0, o.value);
        } else if (model.length > 0) {
          const i = o.at % model.length;
          if (o.op === 'replace') {
            lp.replace(lp.seek(i), o.value);
            model[i] = o.value;
          } else {
            lp.delete(lp.seek(i), o.n);
            model.splice(i, o.n);
          }
        }
        check(lp, model);
      }
      lp.free();
      assert.equal(lp.count, 0);
    }),
    { numRuns: 150 },
  );
});

test('find with skip looks at every other entry (hash fields)', () => {
  const lp = new Listpack();
  for (const s of ['f1', 'v1', 'v1', 'f2', '3', '3']) lp.append(Buffer.from(s));
  assert.equal(lp.find(Buffer.from('v1'), 0, 1), lp.seek(2));
  assert.equal(lp.find(Buffer.from('3'), 0, 1), lp.seek(4));
  assert.equal(lp.find(Buffer.from('f2'), 0, 1), -1);
  lp.free();
});

test('integers are stored compactly and read back as their text', () => {
  const lp = new Listpack();
  lp.append(Buffer.from('5'));
  assert.equal(lp.byteLength, 2);
  assert.ok(lp.isInteger(0));
  assert.equal(lp.integer(0), 5);
  lp.append(Buffer.from('-1000000'));
  assert.equal(lp.get(lp.last()).toString(), '-1000000');
  assert.equal(lp.integer(lp.last()), -1000000);
  lp.free();
});
