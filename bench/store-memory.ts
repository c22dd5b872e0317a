// Memory smoke test of the store: inserts 1M keys (16-byte keys; 16-byte and,
// separately, 300-byte values) and prints bytes per key from RSS growth and
// from the heap's own accounting. No assertions: figures are for comparison
// with Redis (INFO memory after DEBUG POPULATE). Each case runs in a fresh
// child process so one case's RSS does not colour the other.
//
//   node --expose-gc dist/bench/store-memory.js [keys]

import { execFileSync } from 'node:child_process';
import { Heap } from '../src/store/heap';
import { Keyspace } from '../src/store/keyspace';
import { NO_EXPIRE } from '../src/store/types';

const KEY_BYTES = 16;
const VALUE_SIZES = [16, 300];
const MiB = 1024 * 1024;

function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  gc();
  gc();
}

/** Writes `n` as zero-padded decimal into the tail of `key`, after its prefix. */
function writeKeyNumber(key: Buffer, prefixLength: number, n: number): void {
  for (let i = key.length - 1; i >= prefixLength; i--) {
    key[i] = 0x30 + (n % 10);
    n = Math.floor(n / 10);
  }
}

/** Inserts `keys` keys "k:<14 digits>" with values of `valueBytes` bytes into a fresh store. */
function fill(keys: number, valueBytes: number): { heap: Heap; ks: Keyspace } {
  const heap = new Heap();
  const ks = new Keyspace(heap);
  const key = Buffer.alloc(KEY_BYTES, 'k');
  key[1] = 0x3a;
  const value = Buffer.alloc(valueBytes, 'v');
  for (let i = 0; i < keys; i++) {
    writeKeyNumber(key, 2, i);
    writeKeyNumber(value, 0, i);
    ks.setString(key, value, NO_EXPIRE);
  }
  return { heap, ks };
}

function measure(keys: number, valueBytes: number): void {
  // Warm up first, so that code paged in on first use is not counted as data.
  fill(10_000, valueBytes);
  collect();
  const rssBefore = process.memoryUsage().rss;
  const started = process.hrtime.bigint();
  const { heap, ks } = fill(keys, valueBytes);
  const insertMs = Number(process.hrtime.bigint() - started) / 1e6;
  collect();
  const rssGrowth = process.memoryUsage().rss - rssBefore;
  console.log(JSON.stringify({
    keys: ks.size,
    keyBytes: KEY_BYTES,
    valueBytes,
    rssBytesPerKey: +(rssGrowth / keys).toFixed(1),
    reservedBytesPerKey: +(heap.bytesReserved / keys).toFixed(1),
    usedBytesPerKey: +(heap.bytesUsed / keys).toFixed(1),
    rssGrowthMiB: +(rssGrowth / MiB).toFixed(1),
    insertsPerSecond: Math.round(keys / (insertMs / 1000)),
  }));
}

const keys = Number(process.argv[2] ?? 1_000_000);
const valueBytes = process.argv[3];
if (valueBytes !== undefined) {
  measure(keys, Number(valueBytes));
} else {
  for (const size of VALUE_SIZES) {
    process.stdout.write(execFileSync(process.execPath, ['--expose-gc', __filename, String(keys), String(size)]));
  }
}
