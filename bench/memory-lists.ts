// Memory of lists, nodefly vs redis-server: one 1M-element list and 100K small
// 10-element lists. Each case starts a fresh server of each kind, loads the data
// with pipelined RPUSH and reports RSS growth per element (and Redis's own
// used_memory growth), plus the list's node count on our side is implied by
// the default list-max-listpack-size (-2: 8 KB nodes) on both.
//
//   node dist/bench/memory-lists.js [scale] [case-name-substring]   (scale 1 = the sizes above)

import type { RespArg } from './lib/resp';
import { runMemoryCases, type MemoryCase } from './lib/collection-memory';

const ELEMENTS_PER_COMMAND = 100;

function cases(scale: number): MemoryCase[] {
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

runMemoryCases(cases(Number(process.argv[2] ?? 1)), process.argv[3]).catch((err) => {
  console.error(err);
  process.exit(1);
});
