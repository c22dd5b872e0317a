// Micro-benchmark: RequestParser vs redis-parser (returnBuffers) on pipelined
// SET key:NNN <100-byte value> and GET key:NNN request streams cut into 16 KB chunks.
//
// Usage: node dist/bench/parser.js [--commands N] [--rounds R]

import { parseArgs } from 'node:util';
import { RequestParser } from '../src/protocol/parser';

interface RedisParserInstance {
  execute(chunk: Buffer): void;
}
type RedisParserConstructor = new (options: {
  returnReply(reply: unknown): void;
  returnError(err: unknown): void;
  returnBuffers: boolean;
}) => RedisParserInstance;

// redis-parser ships no type declarations.
const RedisParser = require('redis-parser') as RedisParserConstructor;

const CHUNK_SIZE = 16 * 1024;
const VALUE = Buffer.alloc(100, 'v');

function encodeCommand(args: Buffer[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) parts.push(Buffer.from(`$${arg.length}\r\n`), arg, Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

function buildStream(kind: 'SET' | 'GET', commands: number): Buffer[] {
  const encoded: Buffer[] = [];
  for (let i = 0; i < commands; i++) {
    const key = Buffer.from(`key:${String(i % 1000).padStart(3, '0')}`);
    encoded.push(encodeCommand(kind === 'SET' ? [Buffer.from('SET'), key, VALUE] : [Buffer.from('GET'), key]));
  }
  const stream = Buffer.concat(encoded);
  const chunks: Buffer[] = [];
  // Fresh copies, as each socket read would deliver.
  for (let off = 0; off < stream.length; off += CHUNK_SIZE) chunks.push(Buffer.from(stream.subarray(off, off + CHUNK_SIZE)));
  return chunks;
}

function runOurs(chunks: Buffer[]): number {
  const parser = new RequestParser();
  let parsed = 0;
  for (const chunk of chunks) {
    parser.feed(chunk);
    while (parser.next() !== null) parsed++;
  }
  return parsed;
}

function runRedisParser(chunks: Buffer[]): number {
  let parsed = 0;
  const parser = new RedisParser({
    returnReply() {
      parsed++;
    },
    returnError(err) {
      throw err;
    },
    returnBuffers: true,
  });
  for (const chunk of chunks) parser.execute(chunk);
  return parsed;
}

function commandsPerSecond(run: (chunks: Buffer[]) => number, chunks: Buffer[], expected: number): number {
  const start = process.hrtime.bigint();
  const parsed = run(chunks);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (parsed !== expected) throw new Error(`parsed ${parsed} commands, expected ${expected}`);
  return parsed / seconds;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

function main(): void {
  const { values } = parseArgs({
    options: { commands: { type: 'string', default: '200000' }, rounds: { type: 'string', default: '7' } },
  });
  const commands = Number(values.commands);
  const rounds = Number(values.rounds);
  for (const kind of ['SET', 'GET'] as const) {
    const chunks = buildStream(kind, commands);
    const ours: number[] = [];
    const theirs: number[] = [];
    // Interleaved rounds; the first is JIT warm-up and is not recorded.
    for (let round = 0; round <= rounds; round++) {
      const a = commandsPerSecond(runOurs, chunks, commands);
      const b = commandsPerSecond(runRedisParser, chunks, commands);
      if (round > 0) {
        ours.push(a);
        theirs.push(b);
      }
    }
    const a = median(ours);
    const b = median(theirs);
    console.log(
      `${kind}: RequestParser ${Math.round(a).toLocaleString('en-US')} cmd/s, ` +
        `redis-parser ${Math.round(b).toLocaleString('en-US')} cmd/s (x${(a / b).toFixed(2)})`,
    );
  }
}

main();
