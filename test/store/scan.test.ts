import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Heap } from '../../src/store/heap';
import { Keyspace } from '../../src/store/keyspace';
import { NO_EXPIRE } from '../../src/store/types';

const NOW = 1_700_000_000_000;

function name(prefix: string, i: number): Buffer {
  return Buffer.from(`${prefix}:${i}`);
}

/**
 * Scans `ks` in steps of `count`, calling `between(step)` after every call,
 * and returns the names of all keys visited.
 */
function scanWith(ks: Keyspace, count: number, between: (step: number) => void): Set<string> {
  const seen = new Set<string>();
  let cursor = 0;
  let step = 0;
  do {
    cursor = ks.scan(cursor, count, NOW, (key) => {
      seen.add(key.toString());
    });
    between(step++);
  } while (cursor !== 0);
  return seen;
}

test('SCAN returns every stable key while the table grows', () => {
  const ks = new Keyspace(new Heap());
  for (let i = 0; i < 5000; i++) ks.setString(name('stable', i), Buffer.from('v'), NO_EXPIRE);
  let added = 0;
  const seen = scanWith(ks, 10, () => {
    if (added >= 120_000) return;
    for (let i = 0; i < 300; i++) ks.setString(name('new', added++), Buffer.from('v'), NO_EXPIRE);
  });
  assert.ok(added > 100_000, `table grew by ${added} keys`);
  for (let i = 0; i < 5000; i++) assert.ok(seen.has(`stable:${i}`), `missed stable:${i}`);
});

test('SCAN returns every stable key while the table shrinks', () => {
  const ks = new Keyspace(new Heap());
  for (let i = 0; i < 2000; i++) ks.setString(name('stable', i), Buffer.from('v'), NO_EXPIRE);
  const doomed = 120_000;
  for (let i = 0; i < doomed; i++) ks.setString(name('doomed', i), Buffer.from('v'), NO_EXPIRE);
  let deleted = 0;
  const seen = scanWith(ks, 20, () => {
    for (let i = 0; i < 2000 && deleted < doomed; i++) assert.ok(ks.delete(name('doomed', deleted++)));
  });
  assert.equal(ks.size, 2000);
  for (let i = 0; i < 2000; i++) assert.ok(seen.has(`stable:${i}`), `missed stable:${i}`);
});

test('SCAN keeps its guarantee under random interleaved growth and deletes', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 3000 }),
      fc.integer({ min: 1, max: 50 }),
      fc.array(fc.tuple(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 400 })), { minLength: 1, maxLength: 200 }),
      (stableCount, count, churn) => {
        const ks = new Keyspace(new Heap());
        for (let i = 0; i < stableCount; i++) ks.setString(name('s', i), Buffer.from('v'), NO_EXPIRE);
        let created = 0;
        let removed = 0;
        const seen = scanWith(ks, count, (step) => {
          if (step >= churn.length) return;
          const [adds, deletes] = churn[step];
          for (let i = 0; i < adds; i++) ks.setString(name('t', created++), Buffer.from('v'), NO_EXPIRE);
          for (let i = 0; i < deletes && removed < created; i++) ks.delete(name('t', removed++));
        });
        for (let i = 0; i < stableCount; i++) assert.ok(seen.has(`s:${i}`), `missed s:${i}`);
      },
    ),
    { numRuns: 40 },
  );
});

test('SCAN and randomKey never show expired keys', () => {
  const ks = new Keyspace(new Heap());
  for (let i = 0; i < 1000; i++) ks.setString(name('gone', i), Buffer.from('v'), NOW - 1);
  ks.setString(Buffer.from('alive'), Buffer.from('v'), NO_EXPIRE);
  const seen = scanWith(ks, 100, () => {});
  assert.deepEqual([...seen], ['alive']);
  for (let i = 0; i < 20; i++) assert.equal(ks.randomKey(NOW)?.toString(), 'alive');
  ks.delete(Buffer.from('alive'));
  assert.equal(ks.randomKey(NOW), null);
  assert.equal(ks.size, 0);
});
