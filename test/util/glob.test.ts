import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { globMatch } from '../../src/util/glob';

const bytes = (s: string) => Buffer.from(s, 'latin1');
const match = (pattern: string, subject: string, nocase = false) => globMatch(bytes(pattern), bytes(subject), nocase);

/**
 * Reference: a direct recursive reading of Redis 7.0 stringmatchlen (no
 * skip-longer-matches pruning), exponential in the worst case but obviously
 * faithful. Indices past the pattern end read as 0, like the C NUL terminator.
 */
function referenceMatch(pattern: Uint8Array, subject: Uint8Array, nocase: boolean): boolean {
  const at = (i: number) => (i < pattern.length ? pattern[i] : 0);
  const lower = (c: number) => (c >= 65 && c <= 90 ? c + 32 : c);
  const signed = (c: number) => (c > 127 ? c - 256 : c);
  const rec = (p: number, s: number): boolean => {
    let pl = pattern.length - p;
    let sl = subject.length - s;
    while (pl > 0 && sl > 0) {
      const c = subject[s];
      switch (at(p)) {
        case 0x2a: // '*'
          while (pl > 0 && at(p + 1) === 0x2a) {
            p++;
            pl--;
          }
          if (pl === 1) return true;
          for (; sl > 0; s++, sl--) if (rec(p + 1, s)) return true;
          return false;
        case 0x3f: // '?'
          s++;
          sl--;
          break;
        case 0x5b: {
          // '['
          p++;
          pl--;
          const not = at(p) === 0x5e;
          if (not) {
            p++;
            pl--;
          }
          let m = false;
          for (;;) {
            if (at(p) === 0x5c && pl >= 2) {
              p++;
              pl--;
              if (at(p) === c) m = true;
            } else if (at(p) === 0x5d) {
              break;
            } else if (pl === 0) {
              p--;
              pl++;
              break;
            } else if (pl >= 3 && at(p + 1) === 0x2d) {
              let lo = signed(at(p));
              let hi = signed(at(p + 2));
              let x = signed(c);
              if (lo > hi) [lo, hi] = [hi, lo];
              if (nocase) [lo, hi, x] = [lower(lo), lower(hi), lower(x)];
              p += 2;
              pl -= 2;
              if (x >= lo && x <= hi) m = true;
            } else if (nocase ? lower(at(p)) === lower(c) : at(p) === c) {
              m = true;
            }
            p++;
            pl--;
          }
          if (not) m = !m;
          if (!m) return false;
          s++;
          sl--;
          break;
        }
        default: {
          if (at(p) === 0x5c && pl >= 2) {
            p++;
            pl--;
          }
          if (nocase ? lower(at(p)) !== lower(c) : at(p) !== c) return false;
          s++;
          sl--;
        }
      }
      p++;
      pl--;
      if (sl === 0) {
        while (at(p) === 0x2a && pl > 0) {
          p++;
          pl--;
        }
        break;
      }
    }
    return pl === 0 && sl === 0;
  };
  return rec(0, 0);
}

test('hand cases', () => {
  const cases: [pattern: string, subject: string, expected: boolean, nocase?: boolean][] = [
    ['', '', true],
    ['*', '', false], // Redis 7.0: an empty subject only matches an empty pattern
    ['a', '', false],
    ['', 'a', false],
    ['*', 'anything', true],
    ['**', 'x', true],
    ['a*', 'a', true],
    ['a**', 'a', true],
    ['*a', 'a', true],
    ['*a', 'ba', true],
    ['*a', 'ab', false],
    ['a*b*c', 'aXXbYYc', true],
    ['a*b*c', 'aXXbYYcZ', false],
    ['?', 'x', true],
    ['?', '', false],
    ['??', 'x', false],
    ['h?llo', 'hello', true],
    ['h[ae]llo', 'hallo', true],
    ['h[ae]llo', 'hillo', false],
    ['h[^e]llo', 'hallo', true],
    ['h[^e]llo', 'hello', false],
    ['h[a-b]llo', 'hbllo', true],
    ['h[b-a]llo', 'hbllo', true], // reversed range
    ['[z-a]', 'm', true],
    ['[a-]', '-', false], // "a-]" is the range ']'..'a'
    ['[a-]', '_', true],
    ['[a-', 'a', true], // unclosed: class runs to the pattern end
    ['[a-', '-', true],
    ['[a-', 'b', false],
    ['[abc', 'c', true],
    ['[abc', 'ab', false],
    ['[', 'x', false],
    ['[^', 'x', true],
    ['x[', 'x[', false],
    ['[]]', ']', false], // "[]" is an empty class, then ']' must match
    ['[]]', '', false],
    ['[]a]', ']', false],
    ['[\\]]', ']', true],
    ['[\\', '\\', true],
    ['\\*', '*', true],
    ['\\*', 'a', false],
    ['\\', '\\', true],
    ['a\\', 'a\\', true],
    ['\\?', '?', true],
    ['\\?', 'x', false],
    ['[\\-a]', '-', true],
    ['[\\-a]', 'a', true],
    ['[\\-a]', 'b', false],
    ['[!a]', '!', true],
    ['[a-z]', 'A', false],
    ['[a-z]', 'A', true, true],
    ['[A-Z]', 'q', true, true],
    ['[Z-a]', '_', true], // '_' (95) lies between 'Z' (90) and 'a' (97)
    ['[Z-a]', '_', false, true], // nocase folds the bounds to 'z'..'a': empty
    ['HELLO', 'hello', true, true],
    ['[\\A]', 'a', false, true], // escaped class members compare exactly
    ['\\A', 'a', true, true], // but escaped literals outside classes fold
    ['[a-\xff]', 'b', false], // bounds compare as signed char: 0xff is -1
    ['[a-\xff]', '\x10', true],
    ['[\x80-\xff]', '\x90', true],
    ['*\x00*', 'a\x00b', true],
  ];
  for (const [pattern, subject, expected, nocase] of cases) {
    assert.equal(match(pattern, subject, nocase), expected, `${JSON.stringify(pattern)} ~ ${JSON.stringify(subject)}${nocase ? ' nocase' : ''}`);
    assert.equal(referenceMatch(bytes(pattern), bytes(subject), !!nocase), expected, `reference ${JSON.stringify(pattern)} ~ ${JSON.stringify(subject)}`);
  }
});

test('KEYS results recorded from redis-server 7.0.15', () => {
  const keys = ['hello', 'hallo', 'hxllo', 'hllo', 'heeeello', '*', 'x[', '\\\\', 'a-', 'a[', 'a]', ']', '!', '-', 'b', 'z', 'a'];
  const recorded: [string, string[]][] = [
    ['h?llo', ['hxllo', 'hello', 'hallo']],
    ['h*llo', ['hxllo', 'heeeello', 'hello', 'hallo', 'hllo']],
    ['h[ae]llo', ['hello', 'hallo']],
    ['h[^e]llo', ['hxllo', 'hallo']],
    ['h[a-b]llo', ['hallo']],
    ['[z-a]*', ['z', 'a-', 'a', 'hxllo', 'heeeello', 'b', 'a[', 'hello', 'x[', 'hallo', 'hllo', 'a]']],
    ['[a-', ['-', 'a']],
    ['[^', ['z', '!', '-', '*', 'a', 'b', ']']],
    ['x[', []],
    ['\\\\*', ['\\\\']],
    ['*\\\\', ['\\\\']],
    ['h[\\\\]]*', []],
    ['[\\\\-a]*', ['a-', '-', 'a', 'a[', '\\\\', 'a]']],
    ['a[a-]', ['a]']],
    ['a[-a]', ['a-']],
    ['*[]', []],
    ['[]]*', []],
    ['[!a]*', ['!', 'a-', 'a', 'a[', 'a]']],
    ['H*', []],
  ];
  for (const [pattern, expected] of recorded) {
    const got = keys.filter((k) => match(pattern, k)).sort();
    assert.deepEqual(got, [...expected].sort(), pattern);
  }
});

test('pathological patterns stay fast', () => {
  const subject = bytes('a'.repeat(20000));
  const patterns = ['a*a*a*a*a*a*a*a*a*a*a*a*b', '*a*a*a*a*a*a*a*a*a*a*a*', '*?*?*?*?*?*?*?*?*b', '[a-a]*[a-a]*[a-a]*[a-a]*c'];
  const start = process.hrtime.bigint();
  assert.equal(globMatch(bytes(patterns[0]), subject), false);
  assert.equal(globMatch(bytes(patterns[1]), subject), true);
  assert.equal(globMatch(bytes(patterns[2]), subject), false);
  assert.equal(globMatch(bytes(patterns[3]), subject), false);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  assert.ok(ms < 2000, `took ${ms} ms`);
});

// Bytes drawn mostly from the pattern metacharacters so that the interesting paths get hit.
const alphabet = fc.constantFrom(...bytes('*?[]^-\\aAbBz\x00\x80\xff'));
const patternArb = fc.array(alphabet, { maxLength: 10 }).map((a) => Uint8Array.from(a));
const subjectArb = fc.array(fc.constantFrom(...bytes('aAbBz-]^\\*?\x00\x80\xff')), { maxLength: 10 }).map((a) => Uint8Array.from(a));

test('property: agrees with the recursive reference', () => {
  fc.assert(
    fc.property(patternArb, subjectArb, fc.boolean(), (pattern, subject, nocase) => {
      assert.equal(globMatch(pattern, subject, nocase), referenceMatch(pattern, subject, nocase));
    }),
    { numRuns: 20000 },
  );
});

test('property: a pattern built from the subject matches it', () => {
  // Escape every byte, or replace it by '?', or splice in a '*'.
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 20 }), fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 20, maxLength: 20 }), (subject, choices) => {
      const pattern: number[] = [];
      subject.forEach((b, i) => {
        if (choices[i] === 0) pattern.push(0x5c, b);
        else if (choices[i] === 1) pattern.push(0x3f);
        else pattern.push(0x2a, 0x5c, b);
      });
      assert.equal(globMatch(Uint8Array.from(pattern), subject), true);
      assert.equal(referenceMatch(Uint8Array.from(pattern), subject, false), true);
    }),
  );
});
