import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ProtocolError, RequestParser } from '../../src/protocol/parser';

const bytes = (s: string) => Buffer.from(s, 'latin1');
const text = (args: Buffer[]) => args.map((a) => a.toString('latin1'));

function encode(args: Uint8Array[]): Buffer {
  const parts: Buffer[] = [bytes(`*${args.length}\r\n`)];
  for (const a of args) parts.push(bytes(`$${a.length}\r\n`), Buffer.from(a), bytes('\r\n'));
  return Buffer.concat(parts);
}

/** Feed `input` in the given pieces and collect every command; rethrows the parser's error. */
function parseAll(input: Buffer, cuts: number[] = [], parser = new RequestParser()): Buffer[][] {
  const out: Buffer[][] = [];
  let from = 0;
  for (const cut of [...cuts.filter((c) => c > 0 && c < input.length).sort((a, b) => a - b), input.length]) {
    if (cut < from) continue;
    parser.feed(Buffer.from(input.subarray(from, cut)));
    from = cut;
    for (let cmd = parser.next(); cmd !== null; cmd = parser.next()) out.push(cmd);
  }
  return out;
}

function protocolError(input: string): string | null {
  try {
    parseAll(bytes(input));
    return null;
  } catch (e) {
    assert.ok(e instanceof ProtocolError, String(e));
    return e.message;
  }
}

test('multibulk and inline commands, pipelined', () => {
  const input = '*1\r\n$4\r\nPING\r\nSET a b\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\nGET k\n';
  assert.deepEqual(parseAll(bytes(input)).map(text), [['PING'], ['SET', 'a', 'b'], ['SET', 'k', ''], ['GET', 'k']]);
});

test('blank inline lines, *0 and negative counts are skipped', () => {
  assert.deepEqual(parseAll(bytes('\r\n\n   \r\n*0\r\n*-1\r\n*-5\r\nPING\r\r\n')).map(text), [['PING']]);
});

test('Redis quirks: bytes after \\r and after bulk data are not checked', () => {
  // Recorded from redis-server 7.0.15: "*1\rX$4\r\nPINGxy" answers +PONG.
  assert.deepEqual(parseAll(bytes('*1\rX$4\r\nPINGxy')).map(text), [['PING']]);
});

test('error texts recorded from redis-server 7.0.15', () => {
  const cases: [string, string | null][] = [
    ['*-0\r\n', 'Protocol error: invalid multibulk length'],
    ['*+1\r\n', 'Protocol error: invalid multibulk length'],
    ['*\r\n', 'Protocol error: invalid multibulk length'],
    ['*01\r\n', 'Protocol error: invalid multibulk length'],
    ['*2147483648\r\n', 'Protocol error: invalid multibulk length'],
    ['*2147483647\r\n', null], // Redis 7.0 accepts up to INT_MAX and waits for the arguments
    ['*99999999999999999999\r\n', 'Protocol error: invalid multibulk length'],
    ['*-9223372036854775808\r\n', null],
    ['*1\r\n\r\n', "Protocol error: expected '$', got ' '"],
    ['*1\r\n\n\r\n', "Protocol error: expected '$', got ' '"],
    ['*1\r\n\xff\r\n', "Protocol error: expected '$', got '\xff'"],
    ['*1\r\n:1\r\n', "Protocol error: expected '$', got ':'"],
    ['*1\r\n$-1\r\n', 'Protocol error: invalid bulk length'],
    ['*1\r\n$-0\r\n', 'Protocol error: invalid bulk length'],
    ['*1\r\n$+4\r\nPING\r\n', 'Protocol error: invalid bulk length'],
    ['*1\r\n$04\r\nPING\r\n', 'Protocol error: invalid bulk length'],
    ['*1\r\n$\r\n', 'Protocol error: invalid bulk length'],
    ['*1\r\n$536870913\r\n', 'Protocol error: invalid bulk length'],
    ['*1\r\n$536870912\r\n', null],
    ['PING "a"b\r\n', 'Protocol error: unbalanced quotes in request'],
    ['ECHO "abc\n', 'Protocol error: unbalanced quotes in request'],
    ["ECHO 'abc\n", 'Protocol error: unbalanced quotes in request'],
    ["ECHO 'a'b\n", 'Protocol error: unbalanced quotes in request'],
    ['ECHO "abc\\"\n', 'Protocol error: unbalanced quotes in request'],
    ['*1', null],
    ['*1\r', null], // needs one byte after '\r'
    ['*1\r\n$3\r', null],
    ['*1\r\nX', null], // no '\r' yet: Redis waits before checking for '$'
  ];
  for (const [input, expected] of cases) assert.equal(protocolError(input), expected, JSON.stringify(input));
});

test('too big lines without terminator', () => {
  const big = 'x'.repeat(64 * 1024);
  assert.equal(protocolError(big), null);
  assert.equal(protocolError(big + 'x'), 'Protocol error: too big inline request');
  assert.equal(protocolError('*' + '1'.repeat(64 * 1024)), 'Protocol error: too big mbulk count string');
  assert.equal(protocolError('*1\r\n$' + '1'.repeat(64 * 1024)), 'Protocol error: too big bulk count string');
  // With its newline, a long inline line is accepted (Redis only checks while waiting).
  assert.deepEqual(parseAll(bytes(`ECHO ${'y'.repeat(100000)}\n`)).map((c) => c[1].length), [100000]);
  // A long line dripping in is rejected once it passes the limit.
  const parser = new RequestParser();
  for (let i = 0; i < 64; i++) {
    parser.feed(bytes('z'.repeat(1024)));
    assert.equal(parser.next(), null);
  }
  parser.feed(bytes('z'));
  assert.throws(() => parser.next(), { message: 'Protocol error: too big inline request' });
});

test('inline splitting follows sdssplitargs', () => {
  const cases: [string, string[]][] = [
    ['ECHO a"b c"\n', ['ECHO', 'ab c']],
    ["ECHO 'a\\'b'\r\n", ['ECHO', "a'b"]],
    ["ECHO 'a\\nb'\n", ['ECHO', 'a\\nb']],
    ['ECHO "\\x41\\x4g\\n\\r\\t\\b\\a\\q\\"\\\\"\n', ['ECHO', 'Ax4g\n\r\t\b\x07q"\\']],
    ['ECHO "a" \x0bb\n', ['ECHO', 'a', 'b']],
    ['ECHO a\x0bb\n', ['ECHO', 'a\x0bb']], // \v separates only as leading blank
    ['ECHO "a"\x0b\n', ['ECHO', 'a']],
    ['ECHO ""\n', ['ECHO', '']],
    ["ECHO ''\n", ['ECHO', '']],
    ['  SET\tk\rv  \r\n', ['SET', 'k', 'v']],
    ['ECHO "\\xfF"\n', ['ECHO', '\xff']],
  ];
  for (const [input, expected] of cases) assert.deepEqual(parseAll(bytes(input)).map(text), [expected], JSON.stringify(input));
});

test('a NUL byte blocks an inline line, as strchr does in Redis', () => {
  const parser = new RequestParser();
  parser.feed(bytes('ECHO a\x00b\nPING\n'));
  assert.equal(parser.next(), null);
  parser.feed(bytes('x'.repeat(64 * 1024)));
  assert.throws(() => parser.next(), { message: 'Protocol error: too big inline request' });
});

test('unauthenticated limits', () => {
  const parser = new RequestParser();
  parser.unauthenticated = true;
  assert.deepEqual(text(parseAll(encode(Array(10).fill(bytes('a'))), [], parser)[0]).length, 10);
  assert.throws(() => parseAll(bytes('*11\r\n'), [], parser), { message: 'Protocol error: unauthenticated multibulk length' });
  const second = new RequestParser();
  second.unauthenticated = true;
  assert.throws(() => parseAll(bytes('*1\r\n$16385\r\n'), [], second), { message: 'Protocol error: unauthenticated bulk length' });
});

test('limits are mutable', () => {
  const parser = new RequestParser({ maxBulkLen: 10 });
  assert.equal(parser.limits.maxInlineLen, 64 * 1024);
  parser.limits.maxBulkLen = 3;
  assert.throws(() => parseAll(bytes('*1\r\n$4\r\nPING\r\n'), [], parser), { message: 'Protocol error: invalid bulk length' });
});

test('arguments are zero-copy views of a single chunk', () => {
  const chunk = encode([bytes('SET'), bytes('key'), bytes('value')]);
  const parser = new RequestParser();
  parser.feed(chunk);
  const cmd = parser.next()!;
  for (const arg of cmd) assert.equal(arg.buffer, chunk.buffer);
  assert.equal(cmd[2].byteOffset, chunk.byteOffset + chunk.indexOf('value'));
});

test('pending counts unconsumed bytes', () => {
  const parser = new RequestParser();
  parser.feed(bytes('*2\r\n$3\r\nGET\r\n$1\r'));
  assert.equal(parser.next(), null);
  assert.equal(parser.pending, 3); // "$1\r": the header and the first bulk are consumed
  parser.feed(bytes('\nk\r\n'));
  assert.deepEqual(text(parser.next()!), ['GET', 'k']);
  assert.equal(parser.pending, 0);
});

test('earlier views survive later feeds', () => {
  const parser = new RequestParser();
  const stream = Buffer.concat([encode([bytes('A'), bytes('x'.repeat(10))]), encode([bytes('B'), bytes('y'.repeat(50000))])]);
  const got: Buffer[][] = [];
  for (let i = 0; i < stream.length; i += 7) {
    parser.feed(Buffer.from(stream.subarray(i, i + 7)));
    for (let c = parser.next(); c !== null; c = parser.next()) got.push(c);
  }
  assert.deepEqual(got.map(text), [['A', 'x'.repeat(10)], ['B', 'y'.repeat(50000)]]);
});

test('a 100 MB bulk in 64 KB chunks is linear and preallocated progressively', () => {
  const size = 100 * 1024 * 1024;
  const data = Buffer.alloc(size + 2, 0x61);
  data.write('\r\n', size, 'latin1');
  // Baseline: one allocation and copy of the whole bulk on this machine. A
  // quadratic parser would copy ~800x that; a linear one a small multiple.
  let start = process.hrtime.bigint();
  data.copy(Buffer.allocUnsafeSlow(data.length));
  const baselineMs = Number(process.hrtime.bigint() - start) / 1e6;
  const parser = new RequestParser();
  start = process.hrtime.bigint();
  parser.feed(bytes(`*2\r\n$3\r\nSET\r\n$${size}\r\n`));
  assert.equal(parser.next(), null);
  let fed = 0;
  let maxCapacity = 0;
  let cmd: Buffer[] | null = null;
  while (cmd === null) {
    const piece = data.subarray(fed, fed + 64 * 1024);
    parser.feed(piece);
    fed += piece.length;
    // Internal buffer never exceeds ~2x what has arrived (no upfront 100 MB allocation).
    const capacity = (parser as unknown as { buf: Buffer }).buf.length;
    maxCapacity = Math.max(maxCapacity, capacity);
    assert.ok(capacity <= Math.max(2 * fed + 64 * 1024, 32 * 1024), `capacity ${capacity} after ${fed}`);
    cmd = parser.next();
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  assert.equal(cmd[1].length, size);
  assert.equal(cmd[1][size - 1], 0x61);
  assert.ok(maxCapacity <= size + 2);
  assert.ok(ms < 10 * baselineMs + 1000, `took ${ms} ms, one 100 MB copy takes ${baselineMs} ms`);
});

test('a huge declared bulk allocates nothing in advance', () => {
  const parser = new RequestParser();
  parser.feed(bytes('*1\r\n$536870912\r\nabc'));
  assert.equal(parser.next(), null);
  parser.feed(bytes('def'));
  assert.equal(parser.next(), null);
  assert.ok((parser as unknown as { buf: Buffer }).buf.length <= 32 * 1024);
  assert.equal(parser.pending, 6);
});

test('property: RESP-encoded arrays split anywhere parse back, and views stay intact', () => {
  const argsArb = fc.array(fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 12 });
  fc.assert(
    fc.property(argsArb, fc.array(fc.nat(2000)), (commands, cuts) => {
      const input = Buffer.concat(commands.map(encode));
      const got = parseAll(input, cuts);
      const expected = commands.map((c) => c.map((a) => Buffer.from(a)));
      assert.deepEqual(got, expected);
    }),
    { numRuns: 1000 },
  );
});

test('property: inline commands of plain words parse back', () => {
  const word = fc.string({ unit: fc.constantFrom('a', 'b', 'Z', '0', ':', '{', '}', '-'), minLength: 1, maxLength: 8 });
  fc.assert(
    fc.property(fc.array(fc.array(word, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 8 }), fc.array(fc.nat(300)), fc.boolean(), (commands, cuts, crlf) => {
      const input = bytes(commands.map((c) => c.join(' ') + (crlf ? '\r\n' : '\n')).join(''));
      assert.deepEqual(parseAll(input, cuts).map(text), commands);
    }),
    { numRuns: 500 },
  );
});

test('property: garbage only ever throws ProtocolError and always terminates', () => {
  const garbage = fc.array(fc.oneof(fc.constantFrom(...['*', '$', '\r', '\n', '\r\n', '-', '0', '1', '9', '"', "'", '\\', ' ', '\x00', 'x', '*1\r\n', '$3\r\n', '*-1\r\n']), fc.string({ maxLength: 4 })), { maxLength: 40 });
  fc.assert(
    fc.property(garbage, fc.array(fc.nat(200)), (pieces, cuts) => {
      const input = bytes(pieces.join(''));
      try {
        parseAll(input, cuts);
      } catch (e) {
        assert.ok(e instanceof ProtocolError, String(e));
      }
    }),
    { numRuns: 3000 },
  );
});

test('property: byte-at-a-time feeding equals one-shot feeding, including errors', () => {
  const pieces = fc.array(fc.constantFrom('*2\r\n', '$3\r\nGET\r\n', '$1\r\nk\r\n', 'PING\n', '"a b"\r\n', '$x\r\n', '\r\n'), { maxLength: 12 });
  fc.assert(
    fc.property(pieces, (parts) => {
      const input = bytes(parts.join(''));
      const run = (cuts: number[]) => {
        try {
          return parseAll(input, cuts).map(text);
        } catch (e) {
          return (e as Error).message;
        }
      };
      const everyByte = Array.from({ length: input.length }, (_, i) => i);
      assert.deepEqual(run(everyByte), run([]));
    }),
    { numRuns: 1000 },
  );
});
