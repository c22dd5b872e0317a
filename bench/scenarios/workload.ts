// Runs one scenario against every contender that speaks its protocol: fresh
// servers, a probe that turns "unknown command" into a plain "no figure", the
// scenario's data, an unrecorded warm-up, then rounds in which the contenders take
// turns (in a rotating order) so that slow phases of a noisy machine hit all alike.

import { runLoad } from '../lib/loadgen';
import { MemcachedClient } from '../lib/memcached';
import { readCpuTicks, ticksToMicros } from '../lib/proc';
import { progress } from '../lib/progress';
import { RespClient, RespError } from '../lib/resp';
import { AppSample, LoadSample, ScenarioContenderResult, ScenarioResult, medianOf } from '../report/model';
import { runAppFlows } from './app-flow';
import { Contender, RunningContender, startContender, stopContender } from './contenders';
import { Scenario } from './scenario';

export interface WorkloadSettings {
  rounds: number;
  /** Commands per measured load-generator run. */
  operations: number;
  warmupOperations: number;
  connections: number;
  appRequests: number;
  appConnections: number;
  /** Key prefix for servers not started here, so a shared server's keys are never touched. */
  remoteKeyPrefix: string;
  /** Distinguishes application-flow keys of this run from earlier ones. */
  runTag: string;
}

/** Readiness times of fresh starts, by contender name, for the startup figure. */
export type StartupSamples = Map<string, number[]>;

export function recordStartup(samples: StartupSamples, running: RunningContender): void {
  if (!running.server) return;
  const list = samples.get(running.contender.name) ?? [];
  list.push(running.server.readyMs);
  samples.set(running.contender.name, list);
}

/** Why a contender cannot run the scenario (its error reply, quoted), or undefined if it can. */
async function probe(scenario: Scenario, running: RunningContender, keyPrefix: string): Promise<string | undefined> {
  const { host, port, protocol } = running.endpoint;
  if (protocol === 'memcached') {
    const client = await MemcachedClient.connect(port, host);
    try {
      const stored = await client.request(`set ${keyPrefix}bench:probe 0 300 1\r\nx\r\n`, 'line');
      if (stored !== 'STORED\r\n') return `set replied ${stored.trim()}`;
      const got = await client.request(`get ${keyPrefix}bench:probe\r\n`, 'end');
      if (!got.startsWith('VALUE ')) return `get replied ${got.trim()}`;
      return undefined;
    } finally {
      client.close();
    }
  }
  const client = await RespClient.connect(port, host);
  try {
    for (const command of scenario.probe(keyPrefix)) {
      const reply = await client.command(command);
      if (reply instanceof RespError) return `${String(command[0])} replied -${reply.message}`;
    }
    return undefined;
  } finally {
    client.close();
  }
}

/** Same keys for every contender in a round; different keys in different rounds. */
function seedFor(round: number, connection: number): number {
  return round * 100_003 + connection + 1;
}

interface Participant {
  running: RunningContender;
  keyPrefix: string;
  result: ScenarioContenderResult;
}

async function measureLoad(scenario: Scenario, participant: Participant, settings: WorkloadSettings, round: number): Promise<LoadSample> {
  const { endpoint, server } = participant.running;
  const operations = round === 0 ? settings.warmupOperations : settings.operations;
  // Server CPU over the timed phase only: connection setup is reported as connectMs.
  let ticksBefore = 0;
  let ticksAfter = 0;
  const load = await runLoad({
    host: endpoint.host,
    port: endpoint.port,
    protocol: endpoint.protocol,
    connections: settings.connections,
    operations,
    flow: (connection) => scenario.flow(endpoint.protocol, participant.keyPrefix, seedFor(round, connection)),
    runTimeoutMs: Math.max(60_000, operations * 2),
    onTimedStart: () => {
      if (server) ticksBefore = readCpuTicks(server.pid);
    },
    onTimedEnd: () => {
      if (server) ticksAfter = readCpuTicks(server.pid);
    },
  });
  const cpuUsPerOp = server ? ticksToMicros(ticksAfter - ticksBefore) / load.operations : undefined;
  if (load.firstError !== undefined) participant.result.firstError ??= load.firstError;
  return {
    round,
    opsPerSecond: load.opsPerSecond,
    avgMs: load.avgMs,
    p50Ms: load.p50Ms,
    p99Ms: load.p99Ms,
    cpuUsPerOp,
    missRatio: load.missing / load.operations,
    errors: load.errors,
    generatorCoreShare: load.generatorCoreShare,
    connectMs: load.connectMs,
  };
}

async function measureApp(scenario: Scenario, participant: Participant, settings: WorkloadSettings, round: number): Promise<AppSample> {
  const app = await runAppFlows(participant.running.endpoint, {
    connections: settings.appConnections,
    requests: settings.appRequests,
    request: scenario.appRequest(participant.keyPrefix, `${settings.runTag}r${round}`),
  });
  return { round, requestsPerSecond: app.requestsPerSecond, avgMs: app.avgMs, p50Ms: app.p50Ms, p99Ms: app.p99Ms };
}

function describeSample(sample: LoadSample): string {
  const cpu = sample.cpuUsPerOp === undefined ? '' : `  ${sample.cpuUsPerOp.toFixed(1).padStart(5)} CPU µs/op`;
  const errors = sample.errors > 0 ? `  ${sample.errors} errors` : '';
  return `${sample.opsPerSecond.toFixed(0).padStart(7)} ops/s  avg ${sample.avgMs.toFixed(2)} ms  p99 ${sample.p99Ms.toFixed(2)} ms${cpu}${errors}`;
}

export async function runScenario(
  scenario: Scenario,
  contenders: readonly Contender[],
  settings: WorkloadSettings,
  startupSamples: StartupSamples,
): Promise<ScenarioResult> {
  const results: ScenarioContenderResult[] = [];
  const participants: Participant[] = [];
  try {
    for (const contender of contenders) {
      if (!scenario.protocols.includes(contender.protocol)) continue;
      const result: ScenarioContenderResult = { contender: contender.name, samples: [], appSamples: [], errors: 0 };
      results.push(result);
      let running: RunningContender | undefined;
      try {
        running = await startContender(contender);
        recordStartup(startupSamples, running);
        const keyPrefix = running.server ? '' : settings.remoteKeyPrefix;
        const unsupported = await probe(scenario, running, keyPrefix);
        if (unsupported !== undefined) {
          result.noFigure = unsupported;
          progress(`[${scenario.id}] ${contender.name}: no figure (${unsupported})`);
          await stopContender(running);
          continue;
        }
        progress(`[${scenario.id}] ${contender.name}: probed, preparing data`);
        await scenario.prepare(running.endpoint, keyPrefix);
        if (running.endpoint.protocol !== 'resp') result.appNoFigure = 'the application flow runs on ioredis, which speaks RESP only';
        participants.push({ running, keyPrefix, result });
      } catch (error) {
        result.noFigure = (error as Error).message.split('\n')[0];
        progress(`[${scenario.id}] ${contender.name}: no figure (${result.noFigure})`);
        if (running) await stopContender(running);
      }
    }

    for (const participant of participants) {
      progress(`[${scenario.id}] warm-up ${participant.result.contender}`);
      await measureLoad(scenario, participant, settings, 0).catch((error: Error) =>
        progress(`[${scenario.id}] warm-up ${participant.result.contender} failed: ${error.message}`),
      );
    }

    for (let round = 1; round <= settings.rounds; round++) {
      for (let turn = 0; turn < participants.length; turn++) {
        const participant = participants[(turn + round - 1) % participants.length];
        const { result } = participant;
        if (result.noFigure !== undefined) continue;
        const label = `[${scenario.id} round ${round}/${settings.rounds}] ${result.contender.padEnd(12)}`;
        try {
          const sample = await measureLoad(scenario, participant, settings, round);
          result.samples.push(sample);
          result.errors += sample.errors;
          progress(`${label} ${describeSample(sample)}`);
          if (participant.running.endpoint.protocol === 'resp') {
            const app = await measureApp(scenario, participant, settings, round);
            result.appSamples.push(app);
            progress(`${label} app: ${app.requestsPerSecond.toFixed(0)} req/s, avg ${app.avgMs.toFixed(2)} ms, p99 ${app.p99Ms.toFixed(2)} ms`);
          }
        } catch (error) {
          const exited = participant.running.server?.exitReason;
          result.noFigure = exited !== undefined ? `server exited (${exited})` : (error as Error).message;
          progress(`${label} failed: ${result.noFigure}`);
        }
      }
    }
  } finally {
    for (const participant of participants) await stopContender(participant.running);
  }

  for (const result of results) {
    if (result.noFigure !== undefined || result.samples.length === 0) {
      result.noFigure ??= 'no run completed';
      continue;
    }
    const { samples, appSamples } = result;
    result.median = {
      opsPerSecond: medianOf(samples.map((s) => s.opsPerSecond))!,
      avgMs: medianOf(samples.map((s) => s.avgMs))!,
      p50Ms: medianOf(samples.map((s) => s.p50Ms))!,
      p99Ms: medianOf(samples.map((s) => s.p99Ms))!,
      cpuUsPerOp: medianOf(samples.map((s) => s.cpuUsPerOp)),
      missRatio: medianOf(samples.map((s) => s.missRatio))!,
      connectMs: medianOf(samples.map((s) => s.connectMs)),
      appRequestsPerSecond: medianOf(appSamples.map((s) => s.requestsPerSecond)),
      appAvgMs: medianOf(appSamples.map((s) => s.avgMs)),
      appP50Ms: medianOf(appSamples.map((s) => s.p50Ms)),
      appP99Ms: medianOf(appSamples.map((s) => s.p99Ms)),
    };
  }
  return { id: scenario.id, title: scenario.title, request: scenario.request, results };
}
