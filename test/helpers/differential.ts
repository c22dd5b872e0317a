// Differential testing: the same commands go to our server and to a real
// redis-server, and every raw reply must be byte-identical.

import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { RawClient, escapeBytes } from './resp';
import type { RunningServer } from './server';

export interface CompareOptions {
  /** Protocol to negotiate on both connections first (HELLO 3); default 2. */
  proto?: 2 | 3;
  /** Rewrites both replies to command `cmdIndex` before comparing (timestamps, ids, ...). */
  normalize?: (cmdIndex: number, reply: Buffer) => Buffer;
}

export async function compareWithRedis(
  t: TestContext,
  ours: RunningServer,
  redis: RunningServer | null,
  script: Array<Array<string | Buffer>>,
  opts: CompareOptions = {},
): Promise<void> {
  if (redis === null) {
    t.skip('redis-server not installed');
    return;
  }
  const oursClient = await RawClient.connect(ours.port, ours.host);
  const redisClient = await RawClient.connect(redis.port, redis.host);
  try {
    if (opts.proto === 3) {
      // The HELLO replies differ by design (server name, version, id): only require both to accept it.
      for (const [name, client] of [['ours', oursClient], ['redis', redisClient]] as const) {
        const hello = await client.command('HELLO', '3');
        assert.equal(hello[0], 0x25, `HELLO 3 on ${name} did not return a map: ${escapeBytes(hello)}`);
      }
    }
    for (let i = 0; i < script.length; i++) {
      const args = script[i];
      const [oursRaw, redisRaw] = await Promise.all([oursClient.command(...args), redisClient.command(...args)]);
      const oursReply = opts.normalize ? opts.normalize(i, oursRaw) : oursRaw;
      const redisReply = opts.normalize ? opts.normalize(i, redisRaw) : redisRaw;
      if (!oursReply.equals(redisReply)) {
        assert.fail(
          `reply to command #${i} differs from redis-server (RESP${opts.proto ?? 2})\n` +
            `  command: ${args.map((arg) => escapeBytes(Buffer.from(arg))).join(' ')}\n` +
            `  ours:    ${escapeBytes(oursReply)}\n` +
            `  redis:   ${escapeBytes(redisReply)}`,
        );
      }
    }
  } finally {
    await Promise.all([oursClient.close(), redisClient.close()]);
  }
}
