// Memory per 100K cached items: RSS growth of a fresh server while exactly 100K
// distinct items are loaded, for the cache scenario's 400-byte product JSON (with
// its 300 s TTL) and for 16-byte values. RSS is what the machine pays for, so it
// counts allocator slack and, for Node, the heap's headroom.

import { loadDistinctKeys, poolValueWriter, ValueWriter } from '../lib/keyload';
import { MemcachedClient, currentItems, loadDistinctItems } from '../lib/memcached';
import { readRssBytes } from '../lib/proc';
import { progress } from '../lib/progress';
import { RespClient, RespError } from '../lib/resp';
import { MemoryResult, ValueKind } from '../report/model';
import { PRODUCT_JSON_BYTES, PRODUCT_TTL_SECONDS, writeProductJson } from './cache';
import { Contender, RunningContender, startContender, stopContender } from './contenders';
import { StartupSamples, recordStartup } from './workload';

export const MEMORY_ITEMS = 100_000;
const SMALL_VALUE_BYTES = 16;
/** Lets a freshly started server finish its own start-up allocations before the baseline. */
const BASELINE_SETTLE_MS = 300;
/** Time for a Node server's post-load garbage to be collected before RSS is read. */
const LOADED_SETTLE_MS = 500;
const MIB = 1024 * 1024;

interface ValueSpec {
  kind: ValueKind;
  valueBytes: number;
  keyPrefix: string;
  ttlSeconds?: number;
  writeValue: ValueWriter;
}

const VALUE_SPECS: readonly ValueSpec[] = [
  { kind: 'product-json', valueBytes: PRODUCT_JSON_BYTES, keyPrefix: 'product:', ttlSeconds: PRODUCT_TTL_SECONDS, writeValue: writeProductJson },
  { kind: 'small-value', valueBytes: SMALL_VALUE_BYTES, keyPrefix: 'key:', writeValue: poolValueWriter(SMALL_VALUE_BYTES) },
];

function settle(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Loads the items and returns how many the server holds afterwards. */
async function loadItems(running: RunningContender, spec: ValueSpec): Promise<number> {
  const load = { count: MEMORY_ITEMS, valueSize: spec.valueBytes, keyPrefix: spec.keyPrefix, ttlSeconds: spec.ttlSeconds, writeValue: spec.writeValue };
  const { host, port } = running.endpoint;
  if (running.endpoint.protocol === 'memcached') {
    const client = await MemcachedClient.connect(port, host);
    try {
      await loadDistinctItems(client, load);
      return await currentItems(client);
    } finally {
      client.close();
    }
  }
  const client = await RespClient.connect(port, host);
  try {
    await loadDistinctKeys(client, load);
    const dbsize = await client.command(['DBSIZE']);
    if (typeof dbsize !== 'number') throw new Error(`DBSIZE replied ${dbsize instanceof RespError ? `-${dbsize.message}` : JSON.stringify(dbsize)}`);
    return dbsize;
  } finally {
    client.close();
  }
}

async function measure(contender: Contender, spec: ValueSpec, startupSamples: StartupSamples): Promise<MemoryResult> {
  const running = await startContender(contender);
  try {
    recordStartup(startupSamples, running);
    const pid = running.server!.pid;
    await settle(BASELINE_SETTLE_MS);
    const rssBeforeBytes = readRssBytes(pid);
    const held = await loadItems(running, spec);
    if (held !== MEMORY_ITEMS) throw new Error(`holds ${held} items after loading ${MEMORY_ITEMS} distinct keys`);
    await settle(LOADED_SETTLE_MS);
    const rssAfterBytes = readRssBytes(pid);
    const growth = rssAfterBytes - rssBeforeBytes;
    return {
      contender: contender.name,
      valueKind: spec.kind,
      valueBytes: spec.valueBytes,
      items: MEMORY_ITEMS,
      rssBeforeBytes,
      rssAfterBytes,
      bytesPerItem: growth / MEMORY_ITEMS,
      mibPer100k: (growth / MIB) * (100_000 / MEMORY_ITEMS),
    };
  } finally {
    await stopContender(running);
  }
}

/** One fresh server per contender and value kind; only servers started here have an RSS to read. */
export async function runMemory(contenders: readonly Contender[], startupSamples: StartupSamples): Promise<MemoryResult[]> {
  const results: MemoryResult[] = [];
  for (const spec of VALUE_SPECS) {
    for (const contender of contenders) {
      const label = `[memory ${spec.kind} ${spec.valueBytes} B] ${contender.name.padEnd(12)}`;
      if (!contender.launch) {
        results.push({ contender: contender.name, valueKind: spec.kind, valueBytes: spec.valueBytes, items: MEMORY_ITEMS, noFigure: 'not started here, so no RSS to read' });
        continue;
      }
      try {
        const result = await measure(contender, spec, startupSamples);
        results.push(result);
        progress(`${label} ${result.mibPer100k!.toFixed(1)} MiB per 100K items (${result.bytesPerItem!.toFixed(0)} B/item)`);
      } catch (error) {
        const why = (error as Error).message.split('\n')[0];
        results.push({ contender: contender.name, valueKind: spec.kind, valueBytes: spec.valueBytes, items: MEMORY_ITEMS, noFigure: why });
        progress(`${label} no figure (${why})`);
      }
    }
  }
  return results;
}
