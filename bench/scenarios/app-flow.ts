// Latency as an application sees it: each of N ioredis connections (a pool of
// N workers) runs one request at a time, each request being the scenario's
// sequence of awaited commands. Timed from before the first command to after the
// last reply, so the client library's own cost is part of the figure.

import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis5';
import { LatencySummary, summarizeLatencies } from '../lib/stats';
import { AppRequest, Endpoint } from './scenario';

export interface AppFlowOptions {
  connections: number;
  requests: number;
  request: AppRequest;
}

export interface AppFlowResult extends LatencySummary {
  requests: number;
  requestsPerSecond: number;
}

function connectRedis(endpoint: Endpoint): Promise<Redis> {
  const redis = new Redis({
    host: endpoint.host,
    port: endpoint.port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // Errors reach the awaiting request; without a listener ioredis would also print them.
  redis.on('error', () => undefined);
  return redis.connect().then(() => redis);
}

/** Runs `requests` requests over `connections` ioredis clients; rejects on the first failed request. */
export async function runAppFlows(endpoint: Endpoint, options: AppFlowOptions): Promise<AppFlowResult> {
  const clients: Redis[] = [];
  try {
    for (let i = 0; i < options.connections; i++) clients.push(await connectRedis(endpoint));
    const latenciesMs = new Float64Array(options.requests);
    let started = 0;
    let finished = 0;
    const worker = async (redis: Redis): Promise<void> => {
      while (started < options.requests) {
        const index = started++;
        const before = performance.now();
        await options.request(redis, index);
        latenciesMs[finished++] = performance.now() - before;
      }
    };
    const startedAt = performance.now();
    await Promise.all(clients.map(worker));
    const seconds = (performance.now() - startedAt) / 1000;
    return { requests: options.requests, requestsPerSecond: options.requests / seconds, ...summarizeLatencies(latenciesMs) };
  } finally {
    for (const redis of clients) redis.disconnect();
  }
}
