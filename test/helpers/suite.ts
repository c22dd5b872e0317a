// The servers of a command family's test file, started once for the file:
// ours on 1 and on 2 shard threads and a reference redis-server, plus the
// differential run every family repeats over them.

import { before, after, type TestContext } from 'node:test';
import { compareWithRedis, type CompareOptions } from './differential';
import { RawClient } from './resp';
import { startRedis, startServer, type RunningServer } from './server';

export type Script = Array<Array<string | Buffer>>;

/** Set by the `before` hook that suiteServers() registers; read them inside tests only. */
export interface SuiteServers {
  /** Ours with 1 shard thread. */
  ours1: RunningServer;
  /** Ours with 2 shard threads. */
  ours2: RunningServer;
  /** The reference redis-server, or null when none is installed. */
  redis: RunningServer | null;
}

/** Starts the servers before the calling file's tests and stops them after. Call once, at top level. */
export function suiteServers(): SuiteServers {
  const servers = { redis: null } as SuiteServers;
  before(async () => {
    [servers.ours1, servers.ours2, servers.redis] = await Promise.all([startServer({ threads: 1 }), startServer({ threads: 2 }), startRedis()]);
  });
  after(async () => {
    // Optional chaining: a failed start leaves some unset.
    await Promise.all([servers.ours1?.stop(), servers.ours2?.stop(), servers.redis?.stop()]);
  });
  return servers;
}

/** Our two servers with their shard thread counts. */
export function oursByThreads(servers: SuiteServers): Array<readonly [threads: 1 | 2, server: RunningServer]> {
  return [[1, servers.ours1], [2, servers.ours2]];
}

/**
 * Runs script(prefix) against both of our servers and redis, in RESP2 and
 * RESP3, with a fresh key prefix `${name}:${threads}:${proto}:` each time;
 * `normalizer` gives the reply rewrite for one run's commands.
 */
export async function compareEverywhere(
  t: TestContext,
  servers: SuiteServers,
  name: string,
  script: (prefix: string) => Script,
  normalizer?: (commands: Script) => CompareOptions['normalize'],
): Promise<void> {
  for (const [threads, ours] of oursByThreads(servers)) {
    for (const proto of [2, 3] as const) {
      const commands = script(`${name}:${threads}:${proto}:`);
      await compareWithRedis(t, ours, servers.redis, commands, { proto, normalize: normalizer?.(commands) });
    }
  }
}

/** CONFIG SET `parameter` `value` on all the servers, e.g. to undo a test's setting. */
export async function configSetEverywhere(servers: SuiteServers, parameter: string, value: string): Promise<void> {
  for (const server of [servers.ours1, servers.ours2, servers.redis]) {
    if (server === null) continue;
    const client = await RawClient.connect(server.port, server.host);
    await client.command('CONFIG', 'SET', parameter, value);
    await client.close();
  }
}

/**
 * Waits until a server counts at least `count` blocked clients (INFO clients, read through
 * `infoClients`), so that blocking commands sent from several connections reach it in order.
 */
export async function untilBlockedClients(infoClients: () => Promise<string>, count: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (Number(/blocked_clients:(\d+)/.exec(await infoClients())![1]) >= count) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`fewer than ${count} clients ever blocked`);
}
