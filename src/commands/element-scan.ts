// Options of the element scans HSCAN, SSCAN and ZSCAN (Redis scanGenericCommand
// on a collection): COUNT and MATCH only, parsed after the key was looked up.

import type { ReplyWriter } from '../protocol/reply';
import { globMatch } from '../util/glob';
import { SYNTAX } from './errors';
import { parseScanCount } from './keys';
import { isKeyword } from '../util/keyword';

const DEFAULT_COUNT = 10;
const STAR = 0x2a;

/** The parsed options of the current element scan. */
export const elementScan = { count: DEFAULT_COUNT, pattern: null as Buffer | null };

/** Parses COUNT/MATCH from argv[3] on into elementScan; false after replying the error. */
export function parseElementScanOptions(argv: Buffer[], reply: ReplyWriter): boolean {
  elementScan.count = DEFAULT_COUNT;
  elementScan.pattern = null;
  for (let i = 3; i < argv.length; i += 2) {
    const hasValue = i + 1 < argv.length;
    if (hasValue && isKeyword(argv[i], 'COUNT')) {
      elementScan.count = parseScanCount(argv[i + 1], reply);
      if (elementScan.count === 0) return false;
    } else if (hasValue && isKeyword(argv[i], 'MATCH')) {
      const pattern = argv[i + 1];
      // "*" matches everything, the empty element included (globMatch does not).
      elementScan.pattern = pattern.length === 1 && pattern[0] === STAR ? null : pattern;
    } else {
      reply.error(SYNTAX);
      return false;
    }
  }
  return true;
}

/** True when an element passes the MATCH pattern of the current scan. */
export function scanMatches(element: Uint8Array): boolean {
  return elementScan.pattern === null || globMatch(elementScan.pattern, element);
}
