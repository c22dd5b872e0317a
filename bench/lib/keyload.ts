// Loads an exact number of distinct string keys through pipelined SETs, so a
// memory figure divides by keys that really exist (redis-benchmark -r collides).

import { RespClient, RespError } from './resp';

export interface KeyLoadOptions {
  count: number;
  valueSize: number;
  /** SETs written per round trip. */
  batchSize?: number;
}

const KEY_DIGITS = 12;

/** `key:000000000001`-style name of the i-th key (1-based), same shape as redis-benchmark's. */
export function keyName(index: number): string {
  return `key:${String(index).padStart(KEY_DIGITS, '0')}`;
}

/**
 * Values are windows into one pseudo-random pool at varying offsets, so no two
 * neighbouring keys share bytes and nothing compresses or dedupes trivially.
 */
function makeValuePool(valueSize: number): Buffer {
  const pool = Buffer.allocUnsafe(64 * 1024 + valueSize);
  let state = 0x9e3779b9;
  for (let i = 0; i < pool.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    pool[i] = 0x21 + ((state >>> 0) % 94); // printable, so values survive any text logging
  }
  return pool;
}

/** SETs keys 1..count; rejects if any reply is not +OK. */
export async function loadDistinctKeys(client: RespClient, options: KeyLoadOptions): Promise<void> {
  const batchSize = options.batchSize ?? 1000;
  const pool = makeValuePool(options.valueSize);
  const poolWindows = pool.length - options.valueSize;
  const header = Buffer.from(`*3\r\n$3\r\nSET\r\n$${4 + KEY_DIGITS}\r\n`, 'latin1');
  const valueHeader = Buffer.from(`\r\n$${options.valueSize}\r\n`, 'latin1');
  const commandLength = header.length + 4 + KEY_DIGITS + valueHeader.length + options.valueSize + 2;
  const batch = Buffer.allocUnsafe(commandLength * batchSize);

  for (let first = 1; first <= options.count; first += batchSize) {
    const inBatch = Math.min(batchSize, options.count - first + 1);
    let at = 0;
    for (let index = first; index < first + inBatch; index++) {
      at += header.copy(batch, at);
      at += batch.write(keyName(index), at, 'latin1');
      at += valueHeader.copy(batch, at);
      const poolOffset = (index * 7919) % poolWindows;
      at += pool.copy(batch, at, poolOffset, poolOffset + options.valueSize);
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
