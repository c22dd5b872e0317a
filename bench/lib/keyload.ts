// Loads an exact number of distinct string keys through pipelined SETs (or SETEX),
// so a memory figure divides by keys that really exist (redis-benchmark -r collides).

import { RespClient, RespError } from './resp';

/** Writes the value of the index-th key: exactly `valueSize` bytes at `target[offset]`. */
export type ValueWriter = (index: number, target: Buffer, offset: number) => void;

export interface KeyLoadOptions {
  count: number;
  valueSize: number;
  /** Key names are `<keyPrefix><12 digits>`; "key:" as in redis-benchmark unless given. */
  keyPrefix?: string;
  /** SETEX with this many seconds instead of SET. */
  ttlSeconds?: number;
  /** Fills each value; windows of a pseudo-random printable pool unless given. */
  writeValue?: ValueWriter;
  /** SETs written per round trip. */
  batchSize?: number;
}

export const KEY_DIGITS = 12;

/** `key:000000000001`-style name of the i-th key (1-based), same shape as redis-benchmark's `__rand_int__`. */
export function keyName(index: number, prefix = 'key:'): string {
  return `${prefix}${String(index).padStart(KEY_DIGITS, '0')}`;
}

/**
 * Values are windows into one pseudo-random pool at varying offsets, so no two
 * neighbouring keys share bytes and nothing compresses or dedupes trivially.
 */
export function poolValueWriter(valueSize: number): ValueWriter {
  const pool = Buffer.allocUnsafe(64 * 1024 + valueSize);
  let state = 0x9e3779b9;
  for (let i = 0; i < pool.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    pool[i] = 0x21 + ((state >>> 0) % 94); // printable, so values survive any text logging
  }
  const poolWindows = pool.length - valueSize;
  return (index, target, offset) => {
    const poolOffset = (index * 7919) % poolWindows;
    pool.copy(target, offset, poolOffset, poolOffset + valueSize);
  };
}

/** SETs (or SETEXes) keys 1..count; rejects if any reply is not +OK. */
export async function loadDistinctKeys(client: RespClient, options: KeyLoadOptions): Promise<void> {
  const batchSize = options.batchSize ?? 1000;
  const prefix = options.keyPrefix ?? 'key:';
  const writeValue = options.writeValue ?? poolValueWriter(options.valueSize);
  const keyLength = Buffer.byteLength(prefix) + KEY_DIGITS;
  const header = Buffer.from(
    options.ttlSeconds === undefined ? `*3\r\n$3\r\nSET\r\n$${keyLength}\r\n` : `*4\r\n$5\r\nSETEX\r\n$${keyLength}\r\n`,
    'latin1',
  );
  const ttl = options.ttlSeconds === undefined ? '' : `\r\n$${String(options.ttlSeconds).length}\r\n${options.ttlSeconds}`;
  const valueHeader = Buffer.from(`${ttl}\r\n$${options.valueSize}\r\n`, 'latin1');
  const commandLength = header.length + keyLength + valueHeader.length + options.valueSize + 2;
  const batch = Buffer.allocUnsafe(commandLength * batchSize);

  for (let first = 1; first <= options.count; first += batchSize) {
    const inBatch = Math.min(batchSize, options.count - first + 1);
    let at = 0;
    for (let index = first; index < first + inBatch; index++) {
      at += header.copy(batch, at);
      at += batch.write(keyName(index, prefix), at, 'latin1');
      at += valueHeader.copy(batch, at);
      writeValue(index, batch, at);
      at += options.valueSize;
      batch[at++] = 0x0d;
      batch[at++] = 0x0a;
    }
    // Reusing `batch` next time round is safe: all replies arriving means every byte was sent.
    const replies = await client.sendEncoded(batch.subarray(0, at), inBatch);
    const bad = replies.find((reply) => reply !== 'OK');
    if (bad !== undefined) {
      const text = bad instanceof RespError ? `-${bad.message}` : JSON.stringify(bad);
      throw new Error(`SET of keys ${first}..${first + inBatch - 1} got ${text}`);
    }
  }
}
