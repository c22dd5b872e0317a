// The reply encoder's integer and length headers, written digit by digit where they fit an
// int32 and through a string otherwise: every path gives the decimal text.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ReplyWriter } from '../../src/protocol/reply';

function encoded(write: (reply: ReplyWriter) => void): string {
  const reply = new ReplyWriter(16);
  write(reply);
  return reply.view().toString('latin1');
}

test('integer replies are their decimal text, for every magnitude and sign', () => {
  fc.assert(
    fc.property(fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.integer({ min: 0, max: 1100 })), (n) => {
      assert.equal(encoded((r) => r.int(n)), `:${n}\r\n`);
    }),
  );
  fc.assert(
    fc.property(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), (n) => {
      assert.equal(encoded((r) => r.int(n)), `:${n}\r\n`);
    }),
  );
});

test('bulk and array headers carry the exact length, and many of them grow the buffer', () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 40 }), (values) => {
      const text = encoded((r) => {
        r.array(values.length);
        for (const v of values) r.bulk(v);
      });
      const expected = `*${values.length}\r\n` + values.map((v) => `$${v.length}\r\n${Buffer.from(v).toString('latin1')}\r\n`).join('');
      assert.equal(text, expected);
    }),
  );
});
