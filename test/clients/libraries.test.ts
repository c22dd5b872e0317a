// Real npm libraries that lean on Lua scripting and pub/sub (BullMQ,
// rate-limiter-flexible, redlock, ioredis defineCommand, ioredis pub/sub), each
// run against our server on 1 and 2 shard threads and against a real
// redis-server, so every expectation is proven on Redis itself.

import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis, type RedisOptions } from 'ioredis5';
import { Queue, Worker, type Job } from 'bullmq';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import Redlock, { ExecutionError, ResourceLockedError } from 'redlock';
import { suiteServers } from '../helpers/suite';
import type { RunningServer } from '../helpers/server';

/** Per test: a missing server feature fails the test instead of hanging the run. */
const TEST_TIMEOUT_MS = 30_000;
/** Bound on each cleanup step, so a server that stopped answering cannot hold the process open. */
const CLOSE_TIMEOUT_MS = 2_000;
/** After a failure, how long to wait for the server's last words. */
const CRASH_OUTPUT_WAIT_MS = 200;

const servers = suiteServers();
const TARGETS: ReadonlyArray<{ label: string; server: () => RunningServer | null }> = [
  { label: 'nodefly --threads 1', server: () => servers.ours1 },
  { label: 'nodefly --threads 2', server: () => servers.ours2 },
  { label: 'redis-server', server: () => servers.redis },
];

type Cleanup = () => Promise<unknown> | void;

/** Waits for `work` to settle (its failure ignored) or for `ms`, whichever is first; leaves no timer behind. */
async function within(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  try {
    await Promise.race([work.catch(() => undefined), expiry]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What one test opened, closed in reverse order when the test ends: t.after
 * runs even when the test failed or timed out, so the process still exits.
 */
class Resources {
  private readonly cleanups: Cleanup[] = [];

  constructor(t: TestContext, private readonly server: RunningServer) {
    t.after(async () => {
      for (const cleanup of this.cleanups.reverse()) await within(Promise.resolve().then(cleanup), CLOSE_TIMEOUT_MS);
    });
  }

  defer(cleanup: Cleanup): void {
    this.cleanups.push(cleanup);
  }

  /**
   * A connected ioredis 5 client, quit at the end (dropped if QUIT gets no
   * answer). It does not reconnect, so a server that crashed fails the test
   * at once, with the error as the rejected command.
   */
  async client(options: RedisOptions = {}): Promise<Redis> {
    const client = new Redis({ port: this.server.port, host: this.server.host, lazyConnect: true, retryStrategy: () => null, ...options });
    client.on('error', () => {});
    this.defer(async () => {
      await within(client.quit(), CLOSE_TIMEOUT_MS);
      client.disconnect();
    });
    await client.connect();
    return client;
  }
}

/** Polls `done` every 10 ms; fails with `what` when it is still false after `ms`. */
async function waitFor(done: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) assert.fail(`timed out after ${ms}ms waiting for ${what}`);
    await sleep(10);
  }
}

/** Calls of `command` so far, from INFO commandstats (0 when it was never called). */
async function commandCalls(client: Redis, command: string): Promise<number> {
  const info = await client.info('commandstats');
  const calls = new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(info)?.[1];
  return calls === undefined ? 0 : Number(calls);
}

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

interface ProcessedJob {
  name: string;
  at: number;
}

async function bullmqScenario(t: TestContext, server: RunningServer): Promise<void> {
  const resources = new Resources(t, server);
  const queueConnection = await resources.client();
  // A worker blocks waiting for jobs, so BullMQ wants its connection to retry forever.
  const workerConnection = await resources.client({ maxRetriesPerRequest: null });
  const queue = new Queue('libtests', { connection: queueConnection });
  resources.defer(() => queue.close());
  const errors: Error[] = [];
  queue.on('error', (err) => errors.push(err));

  // Prioritized jobs wait for the worker that starts after them: lower number first.
  const priorities = [3, 1, 5, 2, 4];
  for (const priority of priorities) await queue.add(`p${priority}`, { n: priority }, { priority });

  const processed: ProcessedJob[] = [];
  const completed = new Map<string, unknown>();
  const worker = new Worker(
    'libtests',
    async (job: Job<{ n: number }>) => {
      processed.push({ name: job.name, at: Date.now() });
      return { name: job.name, doubled: job.data.n * 2 };
    },
    { connection: workerConnection },
  );
  resources.defer(() => worker.close());
  worker.on('error', (err) => errors.push(err));
  worker.on('completed', (job, result) => completed.set(job.name, result));
  /** Waits for a job to complete; a queue or worker error fails at once rather than at the deadline. */
  const completion = (name: string) =>
    waitFor(() => {
      if (errors.length > 0) throw errors[0];
      return completed.has(name);
    }, `job ${name}`);

  for (const priority of priorities) await completion(`p${priority}`);
  assert.deepEqual(processed.map((p) => p.name), ['p1', 'p2', 'p3', 'p4', 'p5'], 'processing order follows priority');
  assert.deepEqual(completed.get('p4'), { name: 'p4', doubled: 8 }, 'completed event carries the return value');

  const plain = await queue.add('plain', { n: 21 });
  await completion('plain');
  assert.deepEqual((await queue.getJob(plain.id!))?.returnvalue, { name: 'plain', doubled: 42 }, 'job.returnvalue is stored');

  const addedAt = Date.now();
  const delayed = await queue.add('delayed', { n: 1 }, { delay: 300 });
  assert.equal(await delayed.getState(), 'delayed');
  await sleep(250 - (Date.now() - addedAt));
  assert.ok(!completed.has('delayed'), 'a 300 ms delayed job is not processed within 250 ms');
  await completion('delayed');
  assert.ok(processed.at(-1)!.at - addedAt >= 250, `delayed job processed after ${processed.at(-1)!.at - addedAt} ms`);
  assert.equal(await delayed.getState(), 'completed');
  assert.deepEqual((await queue.getJob(delayed.id!))?.returnvalue, { name: 'delayed', doubled: 2 });

  assert.deepEqual(await queue.getJobCounts('completed', 'wait', 'delayed', 'prioritized', 'failed'), {
    completed: 7,
    wait: 0,
    delayed: 0,
    prioritized: 0,
    failed: 0,
  });
  await worker.close();
  await queue.close();
  assert.deepEqual(errors, [], 'no queue or worker errors');
}

async function rateLimiterScenario(t: TestContext, server: RunningServer): Promise<void> {
  const resources = new Resources(t, server);
  const client = await resources.client();
  const points = 5;
  const limiter = new RateLimiterRedis({ storeClient: client, keyPrefix: 'libtests-rl', points, duration: 10 });
  const evalshaBefore = await commandCalls(client, 'evalsha');
  for (let i = 1; i <= points; i++) {
    const res = await limiter.consume('alice');
    assert.equal(res.consumedPoints, i);
    assert.equal(res.remainingPoints, points - i);
  }
  await assert.rejects(limiter.consume('alice'), (rejection: unknown) => {
    assert.ok(rejection instanceof RateLimiterRes, `rejected with a RateLimiterRes, not ${String(rejection)}`);
    assert.equal(rejection.remainingPoints, 0);
    assert.equal(rejection.consumedPoints, points + 1);
    assert.ok(rejection.msBeforeNext > 0 && rejection.msBeforeNext <= 10_000, `msBeforeNext ${rejection.msBeforeNext}`);
    return true;
  });
  const other = await limiter.consume('bob');
  assert.equal(other.remainingPoints, points - 1, 'a second key has its own budget');
  // ioredis sent EVAL once, then EVALSHA for the cached script.
  assert.ok((await commandCalls(client, 'evalsha')) > evalshaBefore, 'EVALSHA was used');
}

async function redlockScenario(t: TestContext, server: RunningServer): Promise<void> {
  const resources = new Resources(t, server);
  const client = await resources.client();
  const redlock = new Redlock([client], { retryCount: 0 });
  const resource = 'libtests-lock:orders';

  const lock = await redlock.acquire([resource], 10_000);
  assert.equal(await client.get(resource), lock.value);
  const refusal = await redlock.acquire([resource], 10_000).then(
    () => assert.fail('a second acquire of a held resource succeeded'),
    (err: unknown) => err,
  );
  assert.ok(refusal instanceof ExecutionError, `rejected with an ExecutionError, not ${String(refusal)}`);
  const [attempt] = await Promise.all(refusal.attempts);
  const votesAgainst = [...attempt.votesAgainst.values()];
  assert.ok(votesAgainst.length === 1 && votesAgainst[0] instanceof ResourceLockedError, `refused because the resource is locked, not ${votesAgainst}`);
  await lock.release();
  assert.equal(await client.exists(resource), 0, 'release deletes the lock key');
  const again = await redlock.acquire([resource], 10_000);
  await again.release();
}

/** The commands defineCommand adds to a client. */
interface ScriptedClient extends Redis {
  libIncrBy(key: string, by: number): Promise<number>;
  libSetGetBuffer(key: string, value: Buffer): Promise<Buffer>;
}

const INCR_BY_LUA = "return redis.call('INCRBY', KEYS[1], ARGV[1])";
const SET_GET_LUA = "redis.call('SET', KEYS[1], ARGV[1]) return redis.call('GET', KEYS[1])";

async function defineCommandScenario(t: TestContext, server: RunningServer): Promise<void> {
  const resources = new Resources(t, server);
  const client = (await resources.client()) as ScriptedClient;
  client.defineCommand('libIncrBy', { numberOfKeys: 1, lua: INCR_BY_LUA });
  client.defineCommand('libSetGet', { numberOfKeys: 1, lua: SET_GET_LUA });

  const evalshaBefore = await commandCalls(client, 'evalsha');
  assert.equal(await client.libIncrBy('libtests-script:n', 5), 5);
  assert.equal(await client.libIncrBy('libtests-script:n', 5), 10);
  assert.deepEqual(await client.script('EXISTS', sha1(INCR_BY_LUA), sha1('return 0')), [1, 0], 'the body is cached under its SHA1');
  assert.ok((await commandCalls(client, 'evalsha')) > evalshaBefore, 'the second call used EVALSHA');
  assert.equal(await client.evalsha(sha1(INCR_BY_LUA), 1, 'libtests-script:n', 1), 11);

  const binary = Buffer.from([0x00, 0xff, 0x80]);
  assert.deepEqual(await client.libSetGetBuffer('libtests-script:bin', binary), binary);
  assert.deepEqual(await client.getBuffer('libtests-script:bin'), binary);
  assert.equal(await client.eval('return 0x100000000 * 3 + 5', 0), 12884901893, 'a Lua number above 2^32 becomes an exact integer');

  // Once the cache is flushed, EVALSHA answers NOSCRIPT and ioredis falls back to EVAL.
  assert.equal(await client.script('FLUSH'), 'OK');
  assert.deepEqual(await client.script('EXISTS', sha1(INCR_BY_LUA)), [0]);
  assert.equal(await client.libIncrBy('libtests-script:n', 4), 15);
}

/**
 * Subscribers and publishers on ioredis connections. Threads accept
 * connections from one shared socket, and a client cannot see which thread
 * serves it, so there are enough connections (as in pubsub.test.ts) that on a
 * 2-thread server both threads serve subscribers and publishers.
 */
async function pubsubScenario(t: TestContext, server: RunningServer): Promise<void> {
  const resources = new Resources(t, server);
  const subscribers = await Promise.all(Array.from({ length: 6 }, () => resources.client()));
  const [first, second] = await Promise.all([resources.client(), resources.client()]);
  const channel = 'libtests:news';
  const received = subscribers.map(() => [] as Buffer[]);
  const matched = subscribers.map(() => [] as Buffer[]);
  /** "channel" or "pattern channel" of every delivery. */
  const origins = new Set<string>();
  subscribers.forEach((subscriber, i) => {
    subscriber.on('messageBuffer', (from: Buffer, message: Buffer) => {
      origins.add(from.toString());
      received[i].push(message);
    });
    subscriber.on('pmessageBuffer', (pattern: Buffer, from: Buffer, message: Buffer) => {
      origins.add(`${pattern} ${from}`);
      matched[i].push(message);
    });
  });
  await Promise.all(subscribers.map((s) => s.subscribe(channel)));
  await Promise.all(subscribers.map((s) => s.psubscribe('libtests:n*')));

  const binary = Buffer.from([0x00, 0xff, 0x80, 0x0d, 0x0a, 0x2a]);
  const receivers = subscribers.length * 2; // each by channel and by pattern
  assert.equal(await first.publish(channel, binary), receivers);
  const pipeline = first.pipeline();
  for (let i = 0; i < 200; i++) pipeline.publish(channel, `first-${i}`);
  const counts = await pipeline.exec();
  assert.ok(counts!.every(([err, n]) => err === null && n === receivers), 'every publish reached every subscriber');
  // Publishes from another connection, once the first ones returned, arrive after them.
  for (let i = 0; i < 20; i++) await second.publish(channel, `second-${i}`);
  assert.equal(await second.publish('libtests:other', 'nobody'), 0);

  const expected = [
    binary,
    ...Array.from({ length: 200 }, (_, i) => Buffer.from(`first-${i}`)),
    ...Array.from({ length: 20 }, (_, i) => Buffer.from(`second-${i}`)),
  ];
  await waitFor(() => [...received, ...matched].every((messages) => messages.length >= expected.length), 'all messages');
  for (let i = 0; i < subscribers.length; i++) {
    assert.deepEqual(received[i], expected, `subscriber ${i}, by channel`);
    assert.deepEqual(matched[i], expected, `subscriber ${i}, by pattern`);
  }
  assert.deepEqual([...origins].sort(), [`libtests:n* ${channel}`, channel]);
}

/** Pub/sub needs no scripting, so it goes first; SCRIPT FLUSH goes last: a crash then fails no other test. */
const SCENARIOS: ReadonlyArray<readonly [name: string, run: (t: TestContext, server: RunningServer) => Promise<void>]> = [
  ['ioredis pub/sub: channel and pattern delivery in publish order, binary payloads', pubsubScenario],
  ['rate-limiter-flexible: RateLimiterRedis consumes and rejects per key', rateLimiterScenario],
  ['redlock: acquire, refuse while held, release, reacquire', redlockScenario],
  ['BullMQ: prioritized, plain and delayed jobs with return values', bullmqScenario],
  ['ioredis defineCommand: EVAL then EVALSHA, binary and 64-bit replies, NOSCRIPT fallback', defineCommandScenario],
];

for (const target of TARGETS) {
  describe(target.label, () => {
    for (const [name, run] of SCENARIOS) {
      test(name, { timeout: TEST_TIMEOUT_MS }, async (t) => {
        const server = target.server();
        if (server === null) return t.skip('redis-server not installed');
        const outputBefore = server.stderr().length;
        try {
          await run(t, server);
        } catch (err) {
          // What the server wrote meanwhile, e.g. the stack trace of a crash, which can arrive after the connection drops.
          await sleep(CRASH_OUTPUT_WAIT_MS);
          const output = server.stderr().slice(outputBefore).trimEnd();
          if (output !== '') for (const line of output.split('\n').slice(-40)) t.diagnostic(line);
          throw err;
        }
      });
    }
  });
}
