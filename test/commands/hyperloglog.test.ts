// HyperLogLog commands: the stored bytes must be exactly Redis's. Differential
// tests compare every reply, GET of the HLL included, with redis-server (RESP2
// and RESP3, 1 and 2 shard threads, PFCOUNT/PFMERGE across shards); values
// produced by redis-server are loaded into ours and must then behave the same;
// a fast-check property test adds random element sets; plus the store-level
// encoder, handler-level WRONGTYPE checks and real clients.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compareWithRedis } from '../helpers/differential';
import { RawClient } from '../helpers/resp';
import { keyOnShard, runKeys } from '../helpers/shards';
import { compareEverywhere, suiteServers, type Script } from '../helpers/suite';
import { HandlerHarness, WRONGTYPE } from '../helpers/handler-context';
import { eachIORedisClient, eachNodeRedisClient } from '../helpers/clients';
import { bulkOf } from '../../src/dispatch/resp-scan';
import { hyperloglogCommands } from '../../src/commands/hyperloglog';
import { HllEditor, HLL_DENSE, HLL_DENSE_BYTES, HLL_SPARSE, emptyHll, hllCount, isHll } from '../../src/store/hll';

const servers = suiteServers();

/** n distinct elements named `${tag}-i`, in PFADD batches of `batch`. */
function pfadds(key: string, tag: string, n: number, batch: number): Script {
  const script: Script = [];
  for (let i = 0; i < n; i += batch) {
    const cmd = ['PFADD', key];
    for (let j = i; j < Math.min(n, i + batch); j++) cmd.push(`${tag}-${j}`);
    script.push(cmd);
  }
  return script;
}

test('PFADD/PFCOUNT store the same bytes as redis, through sparse growth and dense promotion', async (t) => {
  await compareEverywhere(t, servers, 'pfadd', (p) => {
    const { a, b, c } = runKeys(p);
    const script: Script = [
      ['PFCOUNT', a], ['PFADD', a], ['GET', a], ['PFCOUNT', a], ['GET', a], ['PFADD', a], ['PFADD', a, ''], ['GET', a],
      ['PFADD', b, 'a', 'b', 'c'], ['GET', b], ['PFADD', b, 'a', 'b', 'c'], ['PFCOUNT', b], ['GET', b], ['PFADD', b, 'd'], ['GET', b],
      ['PFADD', c, Buffer.from([0, 1, 2, 0xff]), 'x'.repeat(8), 'y'.repeat(15), 'z'.repeat(16), 'w'.repeat(100)], ['GET', c], ['PFCOUNT', c],
    ];
    // Growing one HLL: every few batches check the bytes and the estimate, until well past promotion.
    const growth = pfadds(a, 'grow', 6000, 50);
    growth.forEach((cmd, i) => {
      script.push(cmd);
      if (i % 4 === 0) script.push(['GET', a], ['PFCOUNT', a], ['GET', a]);
    });
    script.push(['GET', a], ['PFCOUNT', a], ['PFADD', a, 'grow-1'], ['PFCOUNT', a], ['GET', a]);
    return script;
  });
});

test('PFMERGE and multi-key PFCOUNT match redis with keys on different shards', async (t) => {
  await compareEverywhere(t, servers, 'pfmerge', (p) => {
    const { a, b, c, d } = runKeys(p);
    return [
      ['PFADD', a, 'a', 'b', 'c'], ['PFADD', b, 'b', 'c', 'd'], ['PFADD', c, 'c', 'd', 'e'],
      ['PFCOUNT', a, b], ['PFCOUNT', a, b, c], ['PFCOUNT', a, `${a}:none`], ['PFCOUNT', `${a}:none`, `${b}:none`],
      ['PFMERGE', d, a, b, c], ['GET', d], ['PFCOUNT', d], ['GET', d], ['PFMERGE', d], ['GET', d], ['PFMERGE', `${c}:new`], ['GET', `${c}:new`],
      ...pfadds(b, 'big', 4000, 500), ['PFMERGE', d, b], ['GET', d], ['PFCOUNT', d, a], ['PFMERGE', a, b, c], ['GET', a], ['PFCOUNT', a],
      ['PFMERGE', `${c}:x`, a, `${b}:none`], ['GET', `${c}:x`], ['SET', d, 'ttl-holder'], ['DEL', d], ['PFADD', d, 'q'], ['EXPIRE', d, '1000'],
      ['PFMERGE', d, c], ['TTL', d], ['GET', d],
      ['SET', `${a}:s`, 'str'], ['PFCOUNT', a, `${a}:s`], ['PFCOUNT', `${a}:s`, a], ['PFMERGE', d, `${a}:s`], ['PFMERGE', `${a}:s`, d],
      ['PFMERGE', `${b}:s`, a], ['GET', `${b}:s`], ['GET', d],
      // Sparse sources whose union outgrows the sparse limit: the destination is promoted mid-merge.
      ...pfadds(`${a}:m`, 'm1', 800, 400), ...pfadds(`${b}:m`, 'm2', 800, 400), ...pfadds(`${c}:m`, 'm3', 800, 400),
      ['PFMERGE', `${d}:m`, `${a}:m`, `${b}:m`, `${c}:m`], ['GET', `${d}:m`], ['PFCOUNT', `${d}:m`], ['PFCOUNT', `${a}:m`, `${b}:m`, `${c}:m`],
    ];
  });
});

test('invalid and corrupted HLLs give redis errors', async (t) => {
  await compareEverywhere(t, servers, 'corrupt', (p) => {
    const { a, b, c } = runKeys(p);
    const dense = Buffer.concat([Buffer.from('HYLL'), Buffer.alloc(HLL_DENSE_BYTES - 4)]);
    const sparseTail = Buffer.concat([emptyHll(), Buffer.from('hello')]);
    const sparseShort = Buffer.concat([emptyHll().subarray(0, 16), Buffer.from([0x7f, 0xfe])]);
    return [
      ['SET', a, 'str'], ['PFADD', a, 'x'], ['PFCOUNT', a], ['PFCOUNT', a, b], ['PFMERGE', b, a], ['PFMERGE', a, b],
      ['SET', a, 'HYLL'], ['PFCOUNT', a], ['SET', a, Buffer.concat([Buffer.from('HYLX'), Buffer.alloc(14)])], ['PFCOUNT', a],
      ['SET', a, Buffer.concat([Buffer.from('HYLL'), Buffer.from([2]), Buffer.alloc(13)])], ['PFADD', a, 'x'],
      ['SET', a, dense.subarray(0, HLL_DENSE_BYTES - 1)], ['PFCOUNT', a], ['SET', a, dense], ['PFCOUNT', a], ['PFADD', a, 'x'], ['GET', a],
      ['SET', b, sparseTail], ['PFCOUNT', b], ['PFADD', b, 'x', 'y'], ['GET', b], ['PFCOUNT', b, a], ['PFMERGE', c, a, b],
      ['SET', b, sparseShort], ['PFADD', b, 'a', 'b', 'c', 'd', 'e', 'f'], ['GET', b], ['PFCOUNT', b],
      ['PFADD', b, 'a'], ['SETRANGE', b, '15', Buffer.from([0])], ['PFCOUNT', b],
      ['PFADD', c, 'v'], ['SETRANGE', c, '16', Buffer.from([0x40, 0x01])], ['PFCOUNT', c], ['PFADD', c, 'w', 'x'], ['GET', c],
      ['PFADD'], ['PFCOUNT'], ['PFMERGE'],
    ];
  });
});

test('PFDEBUG and PFSELFTEST match redis', async (t) => {
  await compareEverywhere(t, servers, 'pfdebug', (p) => {
    const { a, b } = runKeys(p);
    return [
      ['PFDEBUG', 'ENCODING', a], ['PFADD', a, 'a', 'b', 'c', 'd'], ['PFDEBUG', 'ENCODING', a], ['PFDEBUG', 'DECODE', a],
      ['PFDEBUG', 'BOGUS', a], ['PFDEBUG', 'GETREG', a], ['PFDEBUG', 'ENCODING', a], ['GET', a], ['PFDEBUG', 'DECODE', a],
      ['PFDEBUG', 'TODENSE', a], ['PFADD', b, 'x'], ['PFDEBUG', 'TODENSE', b], ['PFDEBUG', 'TODENSE', b], ['GET', b], ['PFCOUNT', b],
      ['SET', b, 'str'], ['PFDEBUG', 'ENCODING', b], ['PFDEBUG', 'ENCODING'], ['PFDEBUG', 'ENCODING', a, b],
    ];
  });
  if (servers.redis === null) return;
  await compareWithRedis(t, servers.ours1, servers.redis, [['PFSELFTEST']]);
});

test('HLLs written by redis-server behave identically once loaded into ours (and back)', async (t) => {
  if (servers.redis === null) {
    t.skip('redis-server not installed');
    return;
  }
  const ref = await RawClient.connect(servers.redis.port);
  try {
    // Produce a sparse and a dense HLL on redis-server, with stale and fresh cached cardinalities.
    const made: Buffer[] = [];
    for (const [n, count] of [[30, false], [30, true], [3000, false], [3000, true]] as const) {
      const key = `import:src:${n}:${count}`;
      await ref.command('DEL', key);
      for (const cmd of pfadds(key, `imp${n}`, n, 100)) await ref.command(...cmd);
      if (count) await ref.command('PFCOUNT', key);
      made.push(bulkOf(await ref.command('GET', key))!);
    }
    assert.equal(made[0][4], HLL_SPARSE);
    assert.equal(made[2][4], HLL_DENSE);
    await compareEverywhere(t, servers, 'import', (p) => {
      const { a, b } = runKeys(p);
      const script: Script = [];
      made.forEach((value, i) => {
        const k = `${a}:${i}`;
        script.push(['SET', k, value], ['PFCOUNT', k], ['GET', k], ['PFADD', k, 'new-1', 'new-2', 'imp30-1'], ['GET', k], ['PFCOUNT', k], ['GET', k]);
        script.push(['PFMERGE', `${b}:${i}`, k, `${a}:0`], ['GET', `${b}:${i}`], ['PFCOUNT', `${b}:${i}`, k]);
      });
      return script;
    });
  } finally {
    await ref.close();
  }
});

test('CONFIG SET hll-sparse-max-bytes moves the promotion point as in redis', async (t) => {
  if (servers.redis === null) {
    t.skip('redis-server not installed');
    return;
  }
  for (const ours of [servers.ours1, servers.ours2]) {
    const script: Script = [['CONFIG', 'SET', 'hll-sparse-max-bytes', '200']];
    for (let i = 0; i < 60; i++) script.push(['PFADD', 'cfg:hll', `e${i}`], ['PFDEBUG', 'ENCODING', 'cfg:hll']);
    script.push(['GET', 'cfg:hll'], ['DEL', 'cfg:hll'], ['CONFIG', 'SET', 'hll-sparse-max-bytes', '3000']);
    await compareWithRedis(t, ours, servers.redis, script);
  }
});

// ---- property test ---------------------------------------------------------------------

const elementArb = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer({ min: 0, max: 5000 }).map(String),
  fc.uint8Array({ maxLength: 20 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
);

test('random PFADD sets leave the same bytes as redis (fast-check)', async (t) => {
  if (servers.redis === null) {
    t.skip('redis-server not installed');
    return;
  }
  let run = 0;
  const batchArb = fc.oneof({ weight: 4, arbitrary: fc.array(elementArb, { maxLength: 8 }) }, { weight: 1, arbitrary: fc.array(elementArb, { minLength: 100, maxLength: 600 }) });
  for (const ours of [servers.ours1, servers.ours2]) {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(2), batchArb), { minLength: 1, maxLength: 25 }), async (batches) => {
        const keys = [keyOnShard(`pp${run}:a`, 0), keyOnShard(`pp${run}:b`, 1), keyOnShard(`pp${run}:c`, 0)];
        run++;
        const script: Script = [];
        for (const [k, elements] of batches) {
          script.push(['PFADD', keys[k], ...elements.map((e) => Buffer.from(e, 'latin1'))], ['GET', keys[k]]);
          if (elements.length % 3 === 0) script.push(['PFCOUNT', keys[k]]);
        }
        script.push(['PFCOUNT', ...keys], ['PFMERGE', keys[2], keys[0], keys[1]], ['GET', keys[2]], ['PFCOUNT', keys[2]], ['GET', keys[2]]);
        await compareWithRedis(t, ours, servers.redis, script);
      }),
      { numRuns: 12 },
    );
  }
});

// ---- store level ----------------------------------------------------------------------

test('HllEditor: sparse and dense agree, promotion happens at the byte limit, corruption is reported', () => {
  const sparse = new HllEditor();
  const dense = new HllEditor();
  sparse.load(emptyHll(), 3000);
  dense.load(emptyHll(), 3000);
  assert.equal(dense.toDense(), true);
  assert.equal(dense.length, HLL_DENSE_BYTES);
  let promotedAt = -1;
  for (let i = 0; i < 5000; i++) {
    const e = Buffer.from(`el${i}`);
    sparse.add(e);
    dense.add(e);
    if (promotedAt < 0 && sparse.encoding === HLL_DENSE) promotedAt = i;
    if (sparse.encoding === HLL_SPARSE) assert.ok(sparse.length <= 3000);
    if (i % 500 === 0) assert.equal(hllCount(sparse.view()), hllCount(dense.view()));
  }
  assert.ok(promotedAt > 500, `promoted too early at ${promotedAt}`);
  assert.ok(Math.abs(hllCount(dense.view()) - 5000) < 5000 * 0.03);
  assert.ok(isHll(sparse.view()) && isHll(dense.view()) && isHll(emptyHll()));
  assert.equal(isHll(dense.view().subarray(0, HLL_DENSE_BYTES - 1)), false);
  // A sparse encoding that covers too few registers is corrupt.
  const broken = Buffer.concat([emptyHll().subarray(0, 16), Buffer.from([0x7f, 0xfe])]);
  assert.equal(hllCount(broken), -1);
  const editor = new HllEditor();
  editor.load(broken, 3000);
  assert.equal(editor.toDense(), false);
});

// ---- handler level -----------------------------------------------------------------------

test('HLL handlers reply WRONGTYPE for a non-string key and leave it alone', () => {
  const handlers = new HandlerHarness(hyperloglogCommands);
  const listValue = handlers.setList('list');
  for (const cmd of [['PFADD', 'list', 'x'], ['PFCOUNT', 'list'], ['PFCOUNT', 'none', 'list'], ['PFMERGE', 'dest', 'list'], ['PFMERGE', 'list', 'none'], ['PFDEBUG', 'ENCODING', 'list']]) {
    assert.equal(handlers.run(...cmd), WRONGTYPE, cmd.join(' '));
  }
  assert.equal(handlers.db.find(Buffer.from('dest'), Date.now()), -1);
  handlers.assertList('list', listValue);
});

// ---- real clients --------------------------------------------------------------------------

test('ioredis 5/6 and node-redis 4/5: PFADD/PFCOUNT/PFMERGE at 1 and 2 threads', async () => {
  for (const ours of [servers.ours1, servers.ours2]) {
    const [k1, k2, k3] = [keyOnShard('cl:hll:a', 0), keyOnShard('cl:hll:b', 1), keyOnShard('cl:hll:c', 0)];
    await eachIORedisClient([ours], async (client) => {
      await client.del(k1, k2, k3);
      assert.equal(await client.pfadd(k1, 'a', 'b', 'c'), 1);
      assert.equal(await client.pfadd(k1, 'a'), 0);
      assert.equal(await client.pfadd(k2, 'c', 'd'), 1);
      assert.equal(await client.pfcount(k1), 3);
      assert.equal(await client.pfcount(k1, k2), 4);
      assert.equal(await client.pfmerge(k3, k1, k2), 'OK');
      assert.equal(await client.pfcount(k3), 4);
      assert.equal((await client.getBuffer(k3)).subarray(0, 4).toString(), 'HYLL');
    });
    await eachNodeRedisClient([ours], async (client) => {
      await client.del([k1, k2, k3]);
      assert.ok(await client.pfAdd(k1, ['x', 'y']));
      assert.ok(await client.pfAdd(k2, ['y', 'z']));
      assert.equal(await client.pfCount([k1, k2]), 3);
      assert.equal(await client.pfMerge(k3, [k1, k2]), 'OK');
      assert.equal(await client.pfCount(k3), 3);
    });
  }
});
