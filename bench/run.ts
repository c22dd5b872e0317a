// `npm run bench`: nodefly against Redis, Memcached (and Dragonfly when given) on
// three application workloads — response caching, session storage, rate limiting —
// with throughput, latency, server CPU per command, memory per 100K items and time
// to get running, each also as a ratio to Redis. Writes bench/results/<date>-<host>
// .json, .md and .svg and prints the markdown. See bench/README.md.

import { positiveInteger } from './lib/args';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, hostname, loadavg } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { describe } from './lib/command';
import { findExecutable } from './lib/proc';
import { progress } from './lib/progress';
import { renderChartSvg } from './report/chart';
import { renderMarkdown } from './report/markdown';
import { ARTICLE_FIGURES, BenchReport, ColdSetupResult, ContenderInfo, GeneratorCheck, StartupResult, attachRatios, medianOf } from './report/model';
import { cacheScenario } from './scenarios/cache';
import { BASELINE, Contender, listContenders, parseAddress, startContender, stopContender } from './scenarios/contenders';
import { checkGenerator } from './scenarios/generator-check';
import { runMemory } from './scenarios/memory';
import { rateLimitScenario } from './scenarios/ratelimit';
import { Scenario } from './scenarios/scenario';
import { sessionScenario } from './scenarios/session';
import { measureColdSetup, measureStartups, reportedThreads, serverVersion } from './scenarios/startup';
import { StartupSamples, WorkloadSettings, recordStartup, runScenario } from './scenarios/workload';

const SCENARIOS: readonly Scenario[] = [cacheScenario, sessionScenario, rateLimitScenario];
const REPO_ROOT = resolve(__dirname, '..', '..');
const DEFAULT_CONNECTIONS = 500;

interface Profile {
  rounds: number;
  operations: number;
  warmupOperations: number;
  appRequests: number;
  appConnections: number;
  /** Fresh starts per contender for the startup figure, besides those the scenarios make. */
  startups: number;
  checkRounds: number;
}

/** Sized for a 2-core machine: quick stays under 3 minutes, full under 15 (cold setup included). */
const PROFILES: Record<'quick' | 'full', Profile> = {
  quick: { rounds: 2, operations: 20_000, warmupOperations: 5_000, appRequests: 2_000, appConnections: 50, startups: 3, checkRounds: 3 },
  full: { rounds: 5, operations: 60_000, warmupOperations: 15_000, appRequests: 6_000, appConnections: 50, startups: 5, checkRounds: 3 },
};

const USAGE = `usage: npm run bench -- [options]
  --quick                  2 rounds of 20K commands (under 3 minutes); default is the full run (5 rounds of 60K)
  --rounds N               interleaved rounds per scenario
  --operations N           commands per load-generator run
  --connections N          load-generator connections (default ${DEFAULT_CONNECTIONS})
  --scenarios LIST         any of cache,session,ratelimit (default all)
  --threads-list LIST      ours at these --threads values; "default" = no flag (default 1,default)
  --cold / --no-cold       time ours from a fresh clone (git clone, npm ci, build, start); default on in the full run only
  --no-memory              skip the memory-per-100K-items part
  --dragonfly-bin PATH     start Dragonfly from this binary too
  --dragonfly-addr H:P     a Dragonfly already running
  --redis-addr H:P         a Redis already running instead of starting redis-server
  --memcached-addr H:P     a Memcached already running instead of starting memcached
  --ours-addr H:P          a nodefly already running instead of starting dist/src/cli.js
  --hosts                  start nothing; bench only the servers given by --*-addr (e.g. the compose stack)
  --ours-cmd TEMPLATE      shell command standing in for ours, with {port} and {threads}
  --out DIR                where results go (default bench/results)`;

interface Options {
  mode: 'quick' | 'full';
  profile: Profile;
  connections: number;
  scenarios: Scenario[];
  oursThreads: (number | undefined)[];
  cold: boolean;
  memory: boolean;
  outDir: string;
  contenderOptions: Parameters<typeof listContenders>[0];
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      operations: { type: 'string' },
      connections: { type: 'string' },
      scenarios: { type: 'string' },
      'threads-list': { type: 'string', default: '1,default' },
      cold: { type: 'boolean' },
      'no-cold': { type: 'boolean', default: false },
      'no-memory': { type: 'boolean', default: false },
      'dragonfly-bin': { type: 'string' },
      'dragonfly-addr': { type: 'string' },
      'redis-addr': { type: 'string' },
      'memcached-addr': { type: 'string' },
      'ours-addr': { type: 'string' },
      hosts: { type: 'boolean', default: false },
      'ours-cmd': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const mode = values.quick ? 'quick' : 'full';
  const profile = { ...PROFILES[mode] };
  if (values.rounds !== undefined) profile.rounds = positiveInteger(values.rounds, '--rounds');
  if (values.operations !== undefined) {
    profile.operations = positiveInteger(values.operations, '--operations');
    profile.warmupOperations = Math.ceil(profile.operations / 4);
  }
  const scenarioIds = values.scenarios?.split(',').map((id) => id.trim()) ?? SCENARIOS.map((scenario) => scenario.id);
  const scenarios = scenarioIds.map((id) => {
    const scenario = SCENARIOS.find((s) => s.id === id);
    if (!scenario) throw new Error(`--scenarios: unknown "${id}" (known: ${SCENARIOS.map((s) => s.id).join(', ')})`);
    return scenario;
  });
  const oursThreads = values['threads-list'].split(',').map((text) => {
    const trimmed = text.trim();
    return trimmed === 'default' ? undefined : positiveInteger(trimmed, '--threads-list');
  });
  const address = (flag: string, text: string | undefined) => (text === undefined ? undefined : parseAddress(text, flag));
  const contenderOptions = {
    hostsOnly: values.hosts,
    redisAddr: address('--redis-addr', values['redis-addr']),
    memcachedAddr: address('--memcached-addr', values['memcached-addr']),
    oursAddr: address('--ours-addr', values['ours-addr']),
    dragonflyAddr: address('--dragonfly-addr', values['dragonfly-addr']),
    dragonflyBin: values['dragonfly-bin'],
    oursThreads,
    oursTemplate: values['ours-cmd'],
    oursCli: join(REPO_ROOT, 'dist', 'src', 'cli.js'),
    oursBin: join(REPO_ROOT, 'bin', 'nodefly'),
  };
  if (values.hosts && ![contenderOptions.redisAddr, contenderOptions.memcachedAddr, contenderOptions.oursAddr, contenderOptions.dragonflyAddr].some(Boolean)) {
    throw new Error('--hosts needs at least one of --redis-addr, --memcached-addr, --ours-addr, --dragonfly-addr');
  }
  return {
    mode,
    profile,
    connections: values.connections !== undefined ? positiveInteger(values.connections, '--connections') : DEFAULT_CONNECTIONS,
    scenarios,
    oursThreads,
    cold: (values.cold ?? mode === 'full') && !values['no-cold'],
    memory: !values['no-memory'],
    outDir: values.out !== undefined ? resolve(values.out) : join(REPO_ROOT, 'bench', 'results'),
    contenderOptions,
  };
}

/**
 * Starts each contender once to learn its version (and, for ours at its default,
 * its thread count). Drops those that cannot start, with the reason in `notes`,
 * and "ours default" when it is the same as an explicit --threads value.
 */
async function survey(contenders: Contender[], options: Options, startups: StartupSamples, notes: string[]): Promise<{ kept: Contender[]; infos: ContenderInfo[] }> {
  const kept: Contender[] = [];
  const infos: ContenderInfo[] = [];
  for (const contender of contenders) {
    try {
      const running = await startContender(contender);
      try {
        if (contender.kind === 'ours' && contender.launch && contender.threads === undefined) {
          const threads = await reportedThreads(running).catch(() => undefined);
          if (threads !== undefined && options.oursThreads.includes(threads)) {
            notes.push(`ours default: the server's default is --threads ${threads} (CONFIG GET threads), the same as ours t${threads}, so it was measured once, as ours t${threads}.`);
            continue;
          }
          if (threads !== undefined) contender.name = `ours default (t${threads})`;
        }
        recordStartup(startups, running);
        const { host, port } = running.endpoint;
        infos.push({
          name: contender.name,
          kind: contender.kind,
          protocol: contender.protocol,
          how: contender.launch ? describe(contender.launch(port)) : `already running at ${host}:${port}`,
          version: await serverVersion(running).catch(() => undefined),
        });
        kept.push(contender);
      } finally {
        await stopContender(running);
      }
    } catch (error) {
      notes.push(`${contender.name}: could not be started or reached, so it has no figures: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  return { kept, infos };
}

function startupResults(contenders: readonly Contender[], samples: StartupSamples): StartupResult[] {
  return contenders.flatMap((contender) => {
    const list = samples.get(contender.name);
    return list && list.length > 0 ? [{ contender: contender.name, samplesMs: list, medianMs: medianOf(list)! }] : [];
  });
}

function resultStem(startedAt: Date): string {
  const stamp = startedAt.toISOString().slice(0, 16).replace(/:/g, '').replace('T', '-');
  return `${stamp}-${hostname().replace(/[^\w.-]/g, '_')}`;
}

async function main(): Promise<void> {
  const options = parseOptions();
  const startedAt = new Date();
  const loadAtStart = loadavg()[0];
  const notes: string[] = [];
  const startups: StartupSamples = new Map();
  const runTag = `bench${startedAt.getTime().toString(36)}`;

  const listed = listContenders(options.contenderOptions, notes);
  progress(`contenders: ${listed.map((c) => c.name).join(', ') || 'none'}`);
  const { kept: contenders, infos } = await survey(listed, options, startups, notes);
  if (contenders.length === 0) throw new Error(`nothing to benchmark:\n${notes.join('\n')}`);
  if (!contenders.some((c) => c.name === BASELINE)) notes.push('Redis did not run, so there are no ratios to Redis.');
  const remote = contenders.filter((c) => !c.launch);
  if (remote.length > 0) {
    notes.push(
      `${remote.map((c) => c.name).join(', ')}: already running, not started here, so no server CPU, RSS, memory or startup ` +
        `figures, and not fresh for each scenario. Their keys carry the prefix "${runTag}:" and all have TTLs (at most 30 minutes).`,
    );
  }

  const settings: WorkloadSettings = {
    rounds: options.profile.rounds,
    operations: options.profile.operations,
    warmupOperations: options.profile.warmupOperations,
    connections: options.connections,
    appRequests: options.profile.appRequests,
    appConnections: options.profile.appConnections,
    remoteKeyPrefix: `${runTag}:`,
    runTag,
  };

  progress(`startup: ${options.profile.startups} fresh starts per contender`);
  await measureStartups(contenders, options.profile.startups - 1, startups);

  let generatorCheck: GeneratorCheck;
  if (!findExecutable('redis-benchmark')) {
    generatorCheck = { command: '', connections: options.connections, operations: 0, samples: [], noFigure: 'redis-benchmark is not on PATH' };
  } else {
    progress('generator check: our load generator against redis-benchmark on redis-server');
    generatorCheck = await checkGenerator(contenders.find((c) => c.name === BASELINE), {
      connections: options.connections,
      operations: options.profile.operations,
      rounds: options.profile.checkRounds,
      remoteKeyPrefix: settings.remoteKeyPrefix,
    });
  }

  const scenarios = [];
  for (const scenario of options.scenarios) {
    progress(`scenario ${scenario.id}: ${scenario.request}`);
    scenarios.push(await runScenario(scenario, contenders, settings, startups));
  }

  const memory = options.memory ? await runMemory(contenders, startups) : [];
  if (!options.memory) notes.push('Memory part skipped (--no-memory).');

  let coldSetup: ColdSetupResult;
  const oursLocal = contenders.some((c) => c.kind === 'ours' && c.launch);
  if (!options.cold) coldSetup = { noFigure: `not measured in a ${options.mode} run; add --cold` };
  else if (!oursLocal || options.contenderOptions.oursTemplate !== undefined) coldSetup = { noFigure: 'ours is not started from this repository in this run' };
  else {
    progress('cold setup: clone, npm ci, build, start');
    coldSetup = await measureColdSetup(REPO_ROOT);
  }

  const report: BenchReport = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    host: hostname(),
    cpus: availableParallelism(),
    node: process.version,
    loadAverage: { start: loadAtStart, end: loadavg()[0] },
    mode: options.mode,
    settings: { ...settings, startups: options.profile.startups, generatorCheckRounds: options.profile.checkRounds },
    contenders: infos,
    generatorCheck,
    scenarios,
    memory,
    startup: startupResults(contenders, startups),
    coldSetup,
    article: ARTICLE_FIGURES,
    notes,
  };
  attachRatios(report, BASELINE);

  const markdown = renderMarkdown(report);
  mkdirSync(options.outDir, { recursive: true });
  const stem = join(options.outDir, resultStem(startedAt));
  writeFileSync(`${stem}.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`${stem}.md`, markdown);
  writeFileSync(`${stem}.svg`, renderChartSvg(report));
  process.stdout.write(markdown);
  progress(`wrote ${relative(process.cwd(), stem)}.{json,md,svg} in ${((Date.now() - startedAt.getTime()) / 1000).toFixed(0)} s`);
}

process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

main().catch((error: Error) => {
  process.stderr.write(`bench failed: ${error.message}\n`);
  process.exit(1);
});
