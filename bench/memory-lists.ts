// Memory of lists, nodefly vs redis-server: one 1M-element list and 100K small
// 10-element lists. Each case starts a fresh server of each kind, loads the data
// with pipelined RPUSH and reports RSS growth per element (and Redis's own
// used_memory growth), plus the list's node count on our side is implied by
// the default list-max-listpack-size (-2: 8 KB nodes) on both.
//
//   node dist/bench/memory-lists.js [scale] [case-name-substring]   (scale 1 = the sizes above)

import { encodeCommand, RespClient, type RespArg } from './lib/resp';
import { findExecutable, readRssBytes } from './lib/proc';
import { freePort, startServer, type ServerProcess } from './lib/server';

interface Case {
  name: string;
  elements: number;
  commands(emit: (args: RespArg[]) => void): void;
}

const ELEMENTS_PER_COMMAND = 100;

function cases(scale: number): Case[] {
  const big = Math.round(1_000_000 * scale);
  const small = Math.round(100_000 * scale);
  return [
    {
      name: `list with ${big} elements (element:N)`,
      elements: big,
      commands(emit) {
        for (let i = 0; i < big; i += ELEMENTS_PER_COMMAND) {
          const args: RespArg[] = ['RPUSH', 'biglist'];
          for (let j = i; j < Math.min(i + ELEMENTS_PER_COMMAND, big); j++) args.push(`element:${j}`);
          emit(args);
        }
      },
    },
    {
      name: `list with ${big} elements pushed at the head (LPUSH N)`,
      elements: big,
      commands(emit) {
        for (let i = 0; i < big; i += ELEMENTS_PER_COMMAND) {
          const args: RespArg[] = ['LPUSH', 'biglist'];
          for (let j = i; j < Math.min(i + ELEMENTS_PER_COMMAND, big); j++) args.push(String(j));
          emit(args);
        }
      },
    },
    {
      name: `${small} lists of 10 elements (per key)`,
      elements: small,
      commands(emit) {
        for (let i = 0; i < small; i++) {
          const args: RespArg[] = ['RPUSH', `list:${i}`];
          for (let j = 0; j < 10; j++) args.push(`value:${i}:${j}`);
          emit(args);
        }
      },
    },
  ];
}

const BATCH = 200;

async function load(port: number, c: Case): Promise<void> {
  const client = await RespClient.connect(port);
  let batch: Buffer[] = [];
  const inflight: Array<Promise<unknown>> = [];
  const flush = () => {
    if (batch.length === 0) return;
    inflight.push(client.sendEncoded(Buffer.concat(batch), batch.length));
    batch = [];
  };
  c.commands((args) => {
    batch.push(encodeCommand(args));
    if (batch.length === BATCH) flush();
  });
  flush();
  await Promise.all(inflight);
  client.close();
}

async function usedMemory(port: number): Promise<number> {
  const client = await RespClient.connect(port);
  const info = String(await client.command(['INFO', 'memory']));
  client.close();
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function measure(kind: 'nodefly' | 'redis', c: Case): Promise<{ rss: number; used: number }> {
  const port = await freePort();
  const launch = kind === 'redis'
    ? { command: findExecutable('redis-server')!, args: ['--port', String(port), '--save', '', '--appendonly', 'no'] }
    : { command: process.execPath, args: ['--expose-gc', `${__dirname}/../src/cli.js`, '--port', String(port), '--loglevel', 'warning'] };
  const server: ServerProcess = await startServer({ name: kind, launch, port });
  try {
    await sleep(500);
    const rssBefore = readRssBytes(server.pid);
    const usedBefore = await usedMemory(port);
    await load(port, c);
    // Let the collector settle: the load leaves request garbage behind.
    await sleep(3000);
    const rss = readRssBytes(server.pid) - rssBefore;
    const used = (await usedMemory(port)) - usedBefore;
    return { rss, used };
  } finally {
    await server.stop(2000);
  }
}

async function main(): Promise<void> {
  const scale = Number(process.argv[2] ?? 1);
  const haveRedis = findExecutable('redis-server') !== undefined;
  const only = process.argv[3];
  for (const c of cases(scale)) {
    if (only !== undefined && !c.name.includes(only)) continue;
    const ours = await measure('nodefly', c);
    const line: Record<string, unknown> = {
      case: c.name,
      nodeflyRssBytesPerElement: +(ours.rss / c.elements).toFixed(1),
      nodeflyUsedMemoryBytesPerElement: +(ours.used / c.elements).toFixed(1),
    };
    if (haveRedis) {
      const redis = await measure('redis', c);
      line.redisRssBytesPerElement = +(redis.rss / c.elements).toFixed(1);
      line.redisUsedMemoryBytesPerElement = +(redis.used / c.elements).toFixed(1);
    }
    console.log(JSON.stringify(line));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
