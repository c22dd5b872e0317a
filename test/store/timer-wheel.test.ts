import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TimerWheel } from '../../src/store/timer-wheel';

/**
 * Drives a wheel the way Keyspace does: `due` maps handle -> current due time;
 * an entry popped before its handle is due is filed again. Fired handles are returned.
 */
function drain(wheel: TimerWheel, due: Map<number, number>, now: number, budget: number): number[] {
  const fired: number[] = [];
  for (let work = 0; work < budget; work++) {
    const h = wheel.pop(now);
    if (h < 0) break;
    const dueAt = due.get(h);
    if (dueAt === undefined) continue;
    if (dueAt <= now) {
      fired.push(h);
      due.delete(h);
    } else {
      wheel.insert(h, dueAt);
    }
  }
  return fired;
}

test('timer wheel fires every entry at its millisecond, never before', () => {
  const time = fc.oneof(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 2 ** 50 }));
  const step = fc.oneof(
    fc.record({ insert: fc.integer({ min: 1, max: 200 }), delta: time }),
    // A later deadline files no new entry (Keyspace.setExpire): the old one must carry it.
    fc.record({ extend: fc.integer({ min: 1, max: 200 }), delta: time }),
    fc.record({ advance: time, budget: fc.integer({ min: 1, max: 1000 }) }),
  );
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 2 ** 45 }), fc.array(step, { maxLength: 200 }), (start, steps) => {
      const wheel = new TimerWheel();
      const due = new Map<number, number>();
      let now = start;
      wheel.pop(now);
      for (const s of steps) {
        if ('insert' in s) {
          due.set(s.insert, now + s.delta);
          wheel.insert(s.insert, now + s.delta);
        } else if ('extend' in s) {
          const dueAt = due.get(s.extend);
          if (dueAt !== undefined) due.set(s.extend, dueAt + s.delta);
        } else {
          now += s.advance;
          const snapshot = new Map(due);
          for (const h of drain(wheel, due, now, s.budget)) assert.ok(snapshot.get(h)! <= now, 'fired early');
        }
      }
      drain(wheel, due, now, Infinity);
      for (const dueAt of due.values()) assert.ok(dueAt > now, 'missed an entry');
    }),
    { numRuns: 300 },
  );
});

test('timer wheel fires 100K random timers in order of their time buckets', () => {
  const wheel = new TimerWheel();
  const due = new Map<number, number>();
  const start = 1_700_000_000_000;
  wheel.pop(start);
  for (let h = 1; h <= 100_000; h++) {
    const at = start + ((h * 2654435761) % 3_600_000);
    due.set(h, at);
    wheel.insert(h, at);
  }
  const times = new Map(due);
  let now = start;
  let fired = 0;
  while (due.size > 0) {
    now += 997;
    for (const h of drain(wheel, due, now, Infinity)) {
      assert.ok(times.get(h)! <= now && times.get(h)! > now - 997);
      fired++;
    }
  }
  assert.equal(fired, 100_000);
  assert.equal(wheel.size, 0);
});
