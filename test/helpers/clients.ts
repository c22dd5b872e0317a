// Smoke tests with real client libraries: every supported major version of
// ioredis and node-redis, each connected to each of the given servers.

import type { RunningServer } from './server';
/* eslint-disable @typescript-eslint/no-var-requires */
const IORedis5 = require('ioredis5');
const IORedis6 = require('ioredis6');
const redis4 = require('redis4');
const redis5 = require('redis5');
/* eslint-enable @typescript-eslint/no-var-requires */

/** A client of either library: loaded untyped with require(), as their several majors install under aliases. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type LibraryClient = any;

/** Runs `body` with a new ioredis 5, then 6, client on each server in turn (library outer); quits each client after. */
export async function eachIORedisClient(servers: readonly RunningServer[], body: (client: LibraryClient) => Promise<void>): Promise<void> {
  for (const Client of [IORedis5, IORedis6]) {
    for (const server of servers) {
      const client = new Client({ port: server.port, host: server.host, enableReadyCheck: false });
      try {
        await body(client);
      } finally {
        await client.quit();
      }
    }
  }
}

/** Runs `body` with a connected node-redis 4, then 5, client on each server in turn (library outer); quits each client after. */
export async function eachNodeRedisClient(servers: readonly RunningServer[], body: (client: LibraryClient) => Promise<void>): Promise<void> {
  for (const lib of [redis4, redis5]) {
    for (const server of servers) {
      const client = lib.createClient({ socket: { port: server.port, host: server.host } });
      client.on('error', () => {}); // a failure surfaces as the rejected command instead
      await client.connect();
      try {
        await body(client);
      } finally {
        await client.quit();
      }
    }
  }
}
