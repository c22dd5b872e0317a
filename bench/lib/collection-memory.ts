// Memory of collections, nodefly vs redis-server (bench/memory-*.ts): each case
// starts a fresh server of each kind, loads its data with pipelined commands and
// reports RSS growth per element, and each server's own used_memory growth.

import path from 'node:path';
import { encodeCommand, RespClient, type RespArg } from './resp';
import { findExecutable, readRssBytes } from './proc';
import { freePort, startServer, type ServerProcess } from './server';

export interface MemoryCase {
  name: string;
  elements: number;
  /** The commands that load the case. */
  commands(emit: (args: RespArg[]) => void): void;
}

const BATCH = 200;
/** bin/nodefly: the server as it is meant to be started (with its V8 flags). */
const NODEFLY_BIN = path.join(__dirname, '..', '..', '..', 'bin', 'nodefly');

async function load(port: number, c: MemoryCase): Promise<void> {
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

async function measure(kind: 'nodefly' | 'redis', c: MemoryCase): Promise<{ rss: number; used: number }> {
  const port = await freePort();
  const launch = kind === 'redis'
    ? { command: findExecutable('redis-server')!, args: ['--port', String(port), '--save', '', '--appendonly', 'no'] }
    : { command: NODEFLY_BIN, args: ['--port', String(port), '--loglevel', 'warning'] };
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

/** Runs the cases whose name contains `only` (all without it); one JSON line per case on stdout. */
export async function runMemoryCases(cases: MemoryCase[], only: string | undefined): Promise<void> {
  const haveRedis = findExecutable('redis-server') !== undefined;
  for (const c of cases) {
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
