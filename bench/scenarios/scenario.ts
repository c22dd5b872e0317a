// What a workload scenario provides to the harness: the commands a contender must
// accept, the data it reads, the per-connection command flow for the load
// generator, and the same request written as application code over ioredis.

import type { Redis } from 'ioredis5';
import type { Flow, Protocol } from '../lib/loadgen';
import type { RespArg } from '../lib/resp';

export type ScenarioId = 'cache' | 'session' | 'ratelimit';

export interface Endpoint {
  host: string;
  port: number;
  protocol: Protocol;
}

/** One application request over ioredis; `index` is unique within a run. */
export type AppRequest = (redis: Redis, index: number) => Promise<void>;

export interface Scenario {
  id: ScenarioId;
  title: string;
  /** What one request does, in a line for the report. */
  request: string;
  protocols: readonly Protocol[];
  /** RESP commands a contender must accept; an error reply means "no figure" for it, quoted. */
  probe(keyPrefix: string): RespArg[][];
  /** Loads the data requests read (cached products, sessions). */
  prepare(endpoint: Endpoint, keyPrefix: string): Promise<void>;
  /** The load generator's flow for one connection; the same seed draws the same keys on every contender. */
  flow(protocol: Protocol, keyPrefix: string, seed: number): Flow;
  /** The request as an application writes it; `runTag` keeps keys of different runs apart. */
  appRequest(keyPrefix: string, runTag: string): AppRequest;
}
