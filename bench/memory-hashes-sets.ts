// Memory of hashes, sets and zsets, nodefly vs redis-server: one 1M-field hash, one
// 1M-member set, one 1M-member zset, and 100K small 10-field hashes. Each case starts a fresh
// server of each kind, loads the data with pipelined commands and reports
// RSS growth per element (and Redis's own used_memory growth).
//
//   node dist/bench/memory-hashes-sets.js [scale] [case-name-substring]   (scale 1 = the sizes above)

import type { RespArg } from './lib/resp';
import { runMemoryCases, type MemoryCase } from './lib/collection-memory';

const PAIRS_PER_COMMAND = 100;

function cases(scale: number): MemoryCase[] {
  const big = Math.round(1_000_000 * scale);
  const small = Math.round(100_000 * scale);
  return [
    {
      name: `hash with ${big} fields (field:N -> value:N)`,
      elements: big,
      commands(emit) {
        for (let i = 0; i < big; i += PAIRS_PER_COMMAND) {
          const args: RespArg[] = ['HSET', 'bighash'];
          for (let j = i; j < Math.min(i + PAIRS_PER_COMMAND, big); j++) args.push(`field:${j}`, `value:${j}`);
          emit(args);
        }
      },
    },
    {
      name: `set with ${big} members (member:N)`,
      elements: big,
      commands(emit) {
        for (let i = 0; i < big; i += PAIRS_PER_COMMAND) {
          const args: RespArg[] = ['SADD', 'bigset'];
          for (let j = i; j < Math.min(i + PAIRS_PER_COMMAND, big); j++) args.push(`member:${j}`);
          emit(args);
        }
      },
    },
    {
      name: `zset with ${big} members (member:N, scores in scrambled order)`,
      elements: big,
      commands(emit) {
        for (let i = 0; i < big; i += PAIRS_PER_COMMAND) {
          const args: RespArg[] = ['ZADD', 'bigzset'];
          for (let j = i; j < Math.min(i + PAIRS_PER_COMMAND, big); j++) args.push(String((j * 7919) % big), `member:${j}`);
          emit(args);
        }
      },
    },
    {
      name: `${small} hashes of 10 fields (per key)`,
      elements: small,
      commands(emit) {
        for (let i = 0; i < small; i++) {
          const args: RespArg[] = ['HSET', `hash:${i}`];
          for (let j = 0; j < 10; j++) args.push(`field${j}`, `value:${i}:${j}`);
          emit(args);
        }
      },
    },
  ];
}

runMemoryCases(cases(Number(process.argv[2] ?? 1)), process.argv[3]).catch((err) => {
  console.error(err);
  process.exit(1);
});
