// Redis 7.0 stringmatchlen() semantics over bytes (KEYS, SCAN MATCH, PSUBSCRIBE, ACL patterns).
//
// Every pattern element other than '*' consumes exactly one subject byte, so
// backtracking only to the most recent '*' gives the same answer as full
// recursion in O(pattern * subject) time, with no recursion at all.

import { lowerAscii } from './keyword';

const STAR = 0x2a;
const QUESTION = 0x3f;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const CARET = 0x5e;
const BACKSLASH = 0x5c;
const DASH = 0x2d;

/** Redis compares range bounds as (signed) char on x86/ARM Linux builds. */
function signed(c: number): number {
  return (c << 24) >> 24;
}

/**
 * Match one non-'*' element starting at pattern[p] against byte c.
 * Returns the index just after the element, or -1 when c does not match.
 */
function matchElement(pattern: Uint8Array, p: number, c: number, nocase: boolean): number {
  const end = pattern.length;
  const head = pattern[p];
  if (head === QUESTION) return p + 1;
  if (head === OPEN) return matchClass(pattern, p + 1, c, nocase);
  let literal = head;
  let next = p + 1;
  if (head === BACKSLASH && end - p >= 2) {
    literal = pattern[p + 1];
    next = p + 2;
  }
  if (nocase ? lowerAscii(literal) !== lowerAscii(c) : literal !== c) return -1;
  return next;
}

/** Bracket expression whose body starts at pattern[i]; an unclosed '[' runs to the pattern end. */
function matchClass(pattern: Uint8Array, i: number, c: number, nocase: boolean): number {
  const end = pattern.length;
  const negate = i < end && pattern[i] === CARET;
  if (negate) i++;
  let matched = false;
  for (;;) {
    const left = end - i;
    if (left >= 2 && pattern[i] === BACKSLASH) {
      i++;
      if (pattern[i] === c) matched = true; // escaped bytes compare exactly, even with nocase
    } else if (left > 0 && pattern[i] === CLOSE) {
      break;
    } else if (left === 0) {
      i--; // unclosed: the class ends at the last pattern byte
      break;
    } else if (left >= 3 && pattern[i + 1] === DASH) {
      let start = signed(pattern[i]);
      let stop = signed(pattern[i + 2]);
      let subject = signed(c);
      if (start > stop) {
        const t = start;
        start = stop;
        stop = t;
      }
      if (nocase) {
        start = lowerAscii(start);
        stop = lowerAscii(stop);
        subject = lowerAscii(subject);
      }
      i += 2;
      if (subject >= start && subject <= stop) matched = true;
    } else if (nocase ? lowerAscii(pattern[i]) === lowerAscii(c) : pattern[i] === c) {
      matched = true;
    }
    i++;
  }
  return matched !== negate ? i + 1 : -1;
}

/**
 * Redis stringmatchlen(): '*', '?', '[abc]', '[^a]', '[a-z]' (reversed ranges
 * allowed), '\x' escapes, optional ASCII case folding. As in Redis 7.0, an
 * empty subject only matches an empty pattern (so "*" does not match "").
 */
export function globMatch(pattern: Uint8Array, subject: Uint8Array, nocase = false): boolean {
  const patternLen = pattern.length;
  const subjectLen = subject.length;
  if (subjectLen === 0) return patternLen === 0;
  let p = 0;
  let s = 0;
  // Resume point of the most recent '*': pattern after it, subject it has absorbed up to.
  let starPattern = -1;
  let starSubject = 0;
  while (s < subjectLen) {
    if (p < patternLen && pattern[p] === STAR) {
      while (p < patternLen && pattern[p] === STAR) p++;
      if (p === patternLen) return true;
      starPattern = p;
      starSubject = s;
      continue;
    }
    const next = p < patternLen ? matchElement(pattern, p, subject[s], nocase) : -1;
    if (next >= 0) {
      p = next;
      s++;
    } else if (starPattern >= 0) {
      p = starPattern;
      s = ++starSubject;
    } else {
      return false;
    }
  }
  while (p < patternLen && pattern[p] === STAR) p++;
  return p === patternLen;
}
