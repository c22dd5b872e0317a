// Proof that our load generator is not the limit: against one redis-server, it and
// redis-benchmark take turns running the same GET of the same keys at the same
// concurrency, without pipelining. Our generator passes if it drives Redis at least
// as fast; both generators' own CPU per command is reported too, since on a small
// machine every microsecond a generator spends is taken from the server.

import { CommandTemplate, Flow, Xorshift, runLoad } from '../lib/loadgen';
import { KEY_DIGITS } from '../lib/keyload';
import { readCpuTicks, ticksToMicros } from '../lib/proc';
import { progress } from '../lib/progress';
import { runRedisBenchmarkMeasured } from '../lib/redis-benchmark';
import { encodeCommand } from '../lib/resp';
import { GeneratorCheck, GeneratorCheckSample, medianOf } from '../report/model';
import { PRODUCT_COUNT, cacheScenario } from './cache';
import { Contender, startContender, stopContender } from './contenders';

/** Our generator's ops/s must reach this share of redis-benchmark's to count as "not slower". */
const PASS_SHARE = 0.9;

class GetFlow implements Flow {
  constructor(
    private readonly get: CommandTemplate,
    private readonly random: Xorshift,
  ) {}

  first(): Buffer {
    this.get.setField(0, this.random.below(PRODUCT_COUNT));
    return this.get.bytes;
  }

  next(): Buffer | null {
    return null;
  }
}

export async function checkGenerator(
  redis: Contender | undefined,
  options: { connections: number; operations: number; rounds: number; remoteKeyPrefix: string },
): Promise<GeneratorCheck> {
  const check: GeneratorCheck = {
    command: 'GET product:<random of 100K>',
    connections: options.connections,
    operations: options.operations,
    samples: [],
  };
  if (!redis) {
    check.noFigure = 'no Redis to run both generators against';
    return check;
  }
  const running = await startContender(redis);
  try {
    const keyPrefix = running.server ? '' : options.remoteKeyPrefix;
    const { host, port } = running.endpoint;
    await cacheScenario.prepare(running.endpoint, keyPrefix);
    const key = `${keyPrefix}product:${'#'.repeat(KEY_DIGITS)}`;
    const pid = running.server?.pid;
    const serverCpuUsPerOp = (ticksBefore: number, operations: number): number | undefined =>
      pid === undefined ? undefined : ticksToMicros(readCpuTicks(pid) - ticksBefore) / operations;
    const serverTicks = (): number => (pid === undefined ? 0 : readCpuTicks(pid));

    const runOurs = async (round: number, operations = options.operations): Promise<GeneratorCheckSample> => {
      const ticksBefore = serverTicks();
      const load = await runLoad({
        host,
        port,
        protocol: 'resp',
        connections: options.connections,
        operations,
        flow: (connection) => new GetFlow(new CommandTemplate(encodeCommand(['GET', key])), new Xorshift(round * 7919 + connection + 1)),
      });
      return {
        generator: 'ours',
        opsPerSecond: load.opsPerSecond,
        avgMs: load.avgMs,
        clientCpuUsPerOp: (load.generatorCoreShare * load.seconds * 1e6) / load.operations,
        serverCpuUsPerOp: serverCpuUsPerOp(ticksBefore, operations),
      };
    };
    const runRedisBenchmark = async (_round: number, operations = options.operations): Promise<GeneratorCheckSample> => {
      const ticksBefore = serverTicks();
      const { rows, clientCpuMicros } = await runRedisBenchmarkMeasured({
        host,
        port,
        command: ['GET', `${keyPrefix}product:__rand_int__`],
        keyspace: PRODUCT_COUNT,
        requests: operations,
        clients: options.connections,
      });
      if (rows.length === 0) throw new Error('redis-benchmark printed no result row');
      return {
        generator: 'redis-benchmark',
        opsPerSecond: rows[0].rps,
        avgMs: rows[0].avgLatencyMs,
        clientCpuUsPerOp: clientCpuMicros / operations,
        serverCpuUsPerOp: serverCpuUsPerOp(ticksBefore, operations),
      };
    };

    // Unrecorded: our generator's first run would otherwise measure V8 compiling it.
    await runOurs(0, Math.ceil(options.operations / 4));
    await runRedisBenchmark(0, Math.ceil(options.operations / 4));
    for (let round = 1; round <= options.rounds; round++) {
      // Alternate who goes first, so neither always meets the warmer server.
      const order = round % 2 === 1 ? [runRedisBenchmark, runOurs] : [runOurs, runRedisBenchmark];
      for (const run of order) {
        const sample = await run(round);
        check.samples.push(sample);
        progress(
          `[generator check ${round}/${options.rounds}] ${sample.generator.padEnd(15)} ${sample.opsPerSecond.toFixed(0).padStart(7)} ops/s, ` +
            `client ${sample.clientCpuUsPerOp.toFixed(1)} CPU µs/op` +
            (sample.serverCpuUsPerOp === undefined ? '' : `, redis-server ${sample.serverCpuUsPerOp.toFixed(1)} CPU µs/op`),
        );
      }
    }
  } catch (error) {
    check.noFigure = (error as Error).message.split('\n')[0];
    return check;
  } finally {
    await stopContender(running);
  }

  const of = (generator: GeneratorCheckSample['generator'], pick: (s: GeneratorCheckSample) => number): number | undefined =>
    medianOf(check.samples.filter((s) => s.generator === generator).map(pick));
  check.medianOursOpsPerSecond = of('ours', (s) => s.opsPerSecond);
  check.medianRedisBenchmarkOpsPerSecond = of('redis-benchmark', (s) => s.opsPerSecond);
  check.medianOursClientCpuUsPerOp = of('ours', (s) => s.clientCpuUsPerOp);
  check.medianRedisBenchmarkClientCpuUsPerOp = of('redis-benchmark', (s) => s.clientCpuUsPerOp);
  const ours = check.medianOursOpsPerSecond!;
  const theirs = check.medianRedisBenchmarkOpsPerSecond!;
  const share = ours / theirs;
  const figures = `${ours.toFixed(0)} vs ${theirs.toFixed(0)} ops/s, ${share.toFixed(2)}x`;
  if (share >= 1) check.verdict = `our generator drove redis-server faster than redis-benchmark (${figures}), so it is the faster load generator here`;
  else if (share >= PASS_SHARE) {
    check.verdict = `our generator drove redis-server as fast as redis-benchmark within ${((1 - PASS_SHARE) * 100).toFixed(0)}% (${figures}), so redis-benchmark would not lift the figures`;
  } else {
    check.verdict =
      `our generator was slower than redis-benchmark on redis-server (${figures}): throughput figures are capped by the generator, ` +
      'so compare server CPU µs/op instead';
  }
  return check;
}
