import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Heap, MAX_SLAB_BLOCK, blockSize } from '../../src/store/heap';

test('heap blocks hold their bytes, never overlap, and are reused after free', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.integer({ min: 1, max: 600 }), fc.integer({ min: 1, max: MAX_SLAB_BLOCK + 1000 })), { maxLength: 300 }),
      fc.array(fc.boolean(), { maxLength: 300 }),
      (sizes, frees) => {
        const heap = new Heap(64 * 1024);
        const live = new Map<number, { size: number; fill: number }>();
        let used = 0;
        sizes.forEach((size, i) => {
          const h = heap.alloc(size);
          assert.ok(h > 0 && !live.has(h));
          heap.buffer(h).fill(i & 0xff, heap.offset(h), heap.offset(h) + size);
          live.set(h, { size, fill: i & 0xff });
          used += blockSize(size);
          if (frees[i]) {
            const [victim, block] = live.entries().next().value!;
            heap.free(victim, block.size);
            live.delete(victim);
            used -= blockSize(block.size);
          }
        });
        assert.equal(heap.bytesUsed, used);
        assert.ok(heap.bytesReserved >= used);
        for (const [h, block] of live) {
          const bytes = heap.buffer(h).subarray(heap.offset(h), heap.offset(h) + block.size);
          assert.ok(bytes.every((b) => b === block.fill), 'block was overwritten');
        }
      },
    ),
  );
});

test('a freed block of the same size class is handed out again', () => {
  const heap = new Heap();
  const a = heap.alloc(40);
  heap.alloc(40);
  heap.free(a, 40);
  assert.equal(heap.alloc(37), a);
  assert.equal(heap.bytesUsed, 80);
});

test('slabs start small and grow', () => {
  const heap = new Heap();
  heap.alloc(16);
  assert.equal(heap.bytesReserved, 1024 * 1024);
  for (let i = 0; i < 40_000; i++) heap.alloc(40);
  assert.equal(heap.bytesReserved, 3 * 1024 * 1024);
});

test('objects are stored by id and ids are reused', () => {
  const heap = new Heap();
  const a = heap.storeObject('a');
  const b = heap.storeObject('b');
  heap.releaseObject(a);
  assert.equal(heap.object(b), 'b');
  assert.equal(heap.storeObject('c'), a);
});
