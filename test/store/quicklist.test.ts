// Quicklist against a plain array model, over random operation sequences and fills
// small enough that nodes split, empty and re-layout all the time.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ListCursor, ListEnd, Quicklist, type ElementView } from '../../src/store/quicklist';

const view: ElementView = { buf: new Uint8Array(0), start: 0, end: 0 };

function contents(list: Quicklist): string[] {
  const out: string[] = [];
  const cursor = new ListCursor();
  if (!list.seek(0, cursor)) return out;
  do out.push(Buffer.from(cursor.buf.subarray(cursor.start, cursor.end)).toString('latin1'));
  while (cursor.next());
  return out;
}

function backwards(list: Quicklist): string[] {
  const out: string[] = [];
  const cursor = new ListCursor();
  if (!list.seek(list.length - 1, cursor)) return out;
  do out.push(Buffer.from(cursor.buf.subarray(cursor.start, cursor.end)).toString('latin1'));
  while (cursor.prev());
  return out.reverse();
}

// Values: short, around the 1-byte varint limit, and big enough to need their own node.
const valueArb = fc.oneof(
  fc.constantFrom('a', 'b', 'c'),
  fc.integer({ min: 0, max: 200 }).map((n) => 'v'.repeat(n)),
  fc.integer({ min: 4000, max: 20000 }).map((n) => 'x'.repeat(n)),
);

const opArb = fc.oneof(
  fc.record({ op: fc.constant('push' as const), end: fc.constantFrom(ListEnd.Head, ListEnd.Tail), value: valueArb }),
  fc.record({ op: fc.constant('pop' as const), end: fc.constantFrom(ListEnd.Head, ListEnd.Tail) }),
  fc.record({ op: fc.constant('insert' as const), index: fc.nat(), after: fc.boolean(), value: valueArb }),
  fc.record({ op: fc.constant('replace' as const), index: fc.nat(), value: valueArb }),
  fc.record({ op: fc.constant('delete' as const), index: fc.nat(), count: fc.nat(30) }),
  fc.record({ op: fc.constant('remove' as const), value: fc.constantFrom('a', 'b', 'c'), limit: fc.integer({ min: -3, max: 3 }) }),
);

test('quicklist matches an array model', () => {
  fc.assert(
    fc.property(fc.constantFrom(-5, -2, -1, 0, 1, 2, 5, 128), fc.array(opArb, { minLength: 20, maxLength: 300 }), (fill, ops) => {
      const list = new Quicklist(fill);
      const model: string[] = [];
      const cursor = new ListCursor();
      for (const o of ops) {
        switch (o.op) {
          case 'push':
            list.push(Buffer.from(o.value, 'latin1'), o.end);
            if (o.end === ListEnd.Head) model.unshift(o.value);
            else model.push(o.value);
            break;
          case 'pop':
            if (model.length === 0) break;
            list.peek(o.end, view);
            assert.equal(Buffer.from(view.buf.subarray(view.start, view.end)).toString('latin1'), o.end === ListEnd.Head ? model.shift() : model.pop());
            list.pop(o.end);
            break;
          case 'insert':
            if (model.length === 0) break;
            assert.ok(list.seek(o.index % model.length, cursor));
            list.insert(cursor, Buffer.from(o.value, 'latin1'), o.after);
            model.splice((o.index % model.length) + (o.after ? 1 : 0), 0, o.value);
            break;
          case 'replace':
            if (model.length === 0) break;
            assert.ok(list.seek(o.index % model.length, cursor));
            list.replace(cursor, Buffer.from(o.value, 'latin1'));
            model[o.index % model.length] = o.value;
            break;
          case 'delete': {
            if (model.length === 0) break;
            const start = o.index % model.length;
            const count = Math.min(o.count, model.length - start);
            list.deleteRange(start, count);
            model.splice(start, count);
            break;
          }
          case 'remove': {
            const removed = list.removeEqual(Buffer.from(o.value), Math.abs(o.limit), o.limit < 0);
            let expected = 0;
            const max = o.limit === 0 ? Infinity : Math.abs(o.limit);
            if (o.limit >= 0) {
              for (let i = 0; i < model.length && expected < max; ) {
                if (model[i] === o.value) { model.splice(i, 1); expected++; } else i++;
              }
            } else {
              for (let i = model.length - 1; i >= 0 && expected < max; i--) {
                if (model[i] === o.value) { model.splice(i, 1); expected++; }
              }
            }
            assert.equal(removed, expected);
            break;
          }
        }
        assert.equal(list.length, model.length);
      }
      assert.deepEqual(contents(list), model);
      assert.deepEqual(backwards(list), model);
      assert.deepEqual(contents(Quicklist.restore(list.serialize(), fill)), model);
    }),
    { numRuns: 300 },
  );
});

test('a small list is one node; a long one splits by the byte budget', () => {
  const list = new Quicklist(-2);
  for (let i = 0; i < 10; i++) list.push(Buffer.from(`e${i}`), ListEnd.Tail);
  assert.equal(list.nodeCount, 1);
  for (let i = 0; i < 100_000; i++) list.push(Buffer.from(`element:${i}`), i % 2 ? ListEnd.Head : ListEnd.Tail);
  assert.equal(list.length, 100_010);
  // ~15 bytes per entry, 8 KB nodes: about 540 entries each.
  assert.ok(list.nodeCount > 150 && list.nodeCount < 250, `nodes: ${list.nodeCount}`);
});
