// Property tests of the sorted-set structure (packed and tree forms) against a
// sorted-array model: random adds, score changes, deletes and range removals,
// checking scores, ranks, bound counts, cursor walks both ways and
// serialization round trips after every step.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { config } from '../../src/config';
import { Bound, ZSet } from '../../src/store/zset/zset';
import { ZTree } from '../../src/store/zset/tree';

interface Entry { member: Buffer; score: number }

function compareEntries(a: Entry, b: Entry): number {
  if (a.score !== b.score) return a.score < b.score ? -1 : 1;
  return Buffer.compare(a.member, b.member);
}

class Model {
  entries: Entry[] = [];
  find(member: Buffer): number {
    return this.entries.findIndex((e) => e.member.equals(member));
  }
  set(member: Buffer, score: number): boolean {
    const i = this.find(member);
    if (i >= 0) this.entries.splice(i, 1);
    this.entries.push({ member, score });
    this.entries.sort(compareEntries);
    return i < 0;
  }
  delete(member: Buffer): boolean {
    const i = this.find(member);
    if (i >= 0) this.entries.splice(i, 1);
    return i >= 0;
  }
  countBefore(bound: Bound, score: number, member: Buffer): number {
    let n = 0;
    for (const e of this.entries) {
      const c = Buffer.compare(e.member, member);
      const before = bound === Bound.ScoreLT ? e.score < score
        : bound === Bound.ScoreLE ? e.score <= score
          : bound === Bound.LexLT ? c < 0
            : bound === Bound.LexLE ? c <= 0
              : e.score < score || (e.score === score && c < 0);
      if (!before) break;
      n++;
    }
    return n;
  }
}

function walk(z: ZSet, reverse: boolean): Entry[] {
  const out: Entry[] = [];
  if (z.size === 0) return out;
  z.seek(reverse ? z.size - 1 : 0);
  do out.push({ member: z.curMember(), score: z.curScore });
  while (reverse ? z.prev() : z.next());
  if (reverse) out.reverse();
  return out;
}

function checkAgainst(z: ZSet, model: Model, probes: Buffer[], scores: number[]): void {
  assert.equal(z.size, model.entries.length);
  assert.deepEqual(walk(z, false), model.entries);
  assert.deepEqual(walk(z, true), model.entries);
  for (const m of probes) {
    const i = model.find(m);
    assert.equal(z.rankOf(m), i);
    if (i < 0) assert.ok(Number.isNaN(z.score(m)));
    else assert.ok(Object.is(z.score(m), model.entries[i].score));
  }
  for (const s of scores) {
    for (const b of [Bound.ScoreLT, Bound.ScoreLE]) assert.equal(z.countBefore(b, s, Buffer.alloc(0)), model.countBefore(b, s, Buffer.alloc(0)));
  }
  for (let r = 0; r < model.entries.length; r += 7) {
    z.seek(r);
    assert.ok(z.buf.subarray(z.curStart, z.curEnd).equals(model.entries[r].member));
  }
  assert.deepEqual(walk(ZSet.deserialize(z.serialize()), false), model.entries);
}

const SCORES = [-Infinity, -2.5, -1, 0, 1, 1, 2, 3.75, 1e300, Infinity];
const memberArb = fc.oneof(
  fc.constantFrom(...['a', 'b', 'c', 'aa', 'ab', '', 'zz', 'a\u0000', 'long-member-name-0123456789'].map((s) => Buffer.from(s, 'latin1'))),
  fc.uint8Array({ minLength: 0, maxLength: 12 }).map((a) => Buffer.from(a)),
);
const opArb = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('set' as const), member: memberArb, score: fc.constantFrom(...SCORES) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), member: memberArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('removeRanks' as const), start: fc.nat(40), length: fc.nat(8) }) },
);

for (const maxEntries of [128, 3, 0]) {
  test(`ZSet matches a sorted array model (zset-max-listpack-entries ${maxEntries})`, () => {
    const saved = config.string('zset-max-listpack-entries');
    config.set('zset-max-listpack-entries', String(maxEntries));
    try {
      fc.assert(fc.property(fc.array(opArb, { maxLength: 120 }), (ops) => {
        const z = new ZSet();
        const model = new Model();
        const probes: Buffer[] = [];
        for (const op of ops) {
          if (op.kind === 'set') {
            probes.push(op.member);
            assert.equal(z.set(op.member, op.score), model.set(op.member, op.score));
          } else if (op.kind === 'delete') {
            assert.equal(z.delete(op.member), model.delete(op.member));
          } else {
            const start = Math.min(op.start, model.entries.length);
            const end = Math.min(start + op.length, model.entries.length);
            z.removeRanks(start, end);
            model.entries.splice(start, end - start);
          }
        }
        checkAgainst(z, model, probes, SCORES);
        // Lex bounds are only meaningful when every score is the same (as in Redis).
        const lexBounds = model.entries.every((e) => e.score === model.entries[0].score) ? [Bound.LexLT, Bound.LexLE, Bound.Key] : [Bound.Key];
        for (const m of probes) {
          for (const b of lexBounds) assert.equal(z.countBefore(b, 1, m), model.countBefore(b, 1, m), `bound ${b}`);
        }
      }), { numRuns: 200 });
    } finally {
      config.set('zset-max-listpack-entries', saved);
    }
  });
}

test('ZTree keeps order, ranks and lookups through many inserts and deletes (several levels)', () => {
  const tree = new ZTree();
  const model = new Map<string, number>();
  let seed = 12345;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const N = 30000;
  for (let i = 0; i < N; i++) {
    const member = Buffer.from(`m${Math.floor(random() * N * 2)}`);
    const score = Math.floor(random() * 1000);
    const key = member.toString();
    if (model.has(key)) tree.update(member, score);
    else tree.insert(member, score);
    model.set(key, score);
    if (random() < 0.3) {
      const victim = Buffer.from(`m${Math.floor(random() * N * 2)}`);
      assert.equal(tree.delete(victim), model.delete(victim.toString()));
    }
  }
  const sorted = [...model.entries()].sort((a, b) => a[1] - b[1] || Buffer.compare(Buffer.from(a[0]), Buffer.from(b[0])));
  assert.equal(tree.size, sorted.length);
  tree.seek(0);
  for (let i = 0; i < sorted.length; i++) {
    assert.equal(tree.data.latin1Slice(tree.curStart, tree.curEnd), sorted[i][0]);
    assert.equal(tree.curScore, sorted[i][1]);
    if (i + 1 < sorted.length) assert.ok(tree.next());
  }
  for (let i = 0; i < sorted.length; i += 97) {
    assert.equal(tree.rankOf(Buffer.from(sorted[i][0])), i);
    tree.seek(i);
    assert.equal(tree.data.latin1Slice(tree.curStart, tree.curEnd), sorted[i][0]);
  }
  // Delete everything in random order; the structure must stay consistent down to empty.
  const keys = sorted.map((e) => e[0]);
  for (let i = keys.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [keys[i], keys[j]] = [keys[j], keys[i]];
  }
  for (let i = 0; i < keys.length; i++) {
    assert.ok(tree.delete(Buffer.from(keys[i])));
    if (i % 1000 === 0 && tree.size > 0) {
      const r = Math.floor(tree.size / 2);
      tree.seek(r);
      assert.equal(tree.rankOf(tree.data.subarray(tree.curStart, tree.curEnd)), r);
    }
  }
  assert.equal(tree.size, 0);
});
