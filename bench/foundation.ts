// Foundation benchmark: nodefly against real Redis on this machine.
//
// CPU: redis-benchmark runs at -c 50 and -c 50 -P 16, contenders interleaved in
// rounds, reporting median throughput and the server's own CPU µs per request
// (from /proc), which is the fair figure when the client is the bottleneck.
// Memory: RSS growth of fresh servers after loading exactly 100K distinct keys.
//
// Usage: node dist/bench/foundation.js [--quick] [--rounds R] [--requests N]
//   [--threads-list 1,2] [--only cpu|memory] [--pin] [--json out.json]
//   [--ours-cmd 'template with {port} {threads}']   (or env NODEFLY_BENCH_CMD)

import { positiveInteger } from './lib/args';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LaunchCommand, describe, fromShellTemplate, pinToCpus } from './lib/command';
import { loadDistinctKeys } from './lib/keyload';
import { RssSampler, clockTicksPerSecond, findExecutable, readCpuTicks, readRssBytes, ticksToMicros } from './lib/proc';
import { runRedisBenchmark } from './lib/redis-benchmark';
import { RespArg, RespClient, RespError } from './lib/resp';
import { ServerProcess, freePort, startServer } from './lib/server';
import { median, relativeSpread } from './lib/stats';
import { formatNumber, formatRatio, formatTable } from './lib/table';

const DEFAULT_REQUESTS = 30_000;
const QUICK_REQUESTS = 10_000;
const DEFAULT_ROUNDS = 3;
/** Pipelined runs finish ~15x faster, so they get more requests to stay above /proc tick resolution. */
const PIPELINED_REQUEST_SCALE = 10;
/** Unrecorded warm-up per contender and mode (JIT, allocator), as a fraction of a measured run. */
const WARMUP_FRACTION = 0.1;
const MEMORY_KEYS = 100_000;
const MEMORY_VALUE_SIZES = [16, 100, 300] as const;
/** Time for a Node server's post-load garbage to be collected before reading RSS. */
const MEMORY_SETTLE_MS = 500;
const CPU_TARGET = 1.5;
const MEMORY_TARGETS: Readonly<Record<number, number>> = { 16: 0.6, 300: 0.85 };
const SERVER_CPUS = '0';
const CLIENT_CPUS = '1';
const REDIS_NAME = 'redis';

interface BenchTest {
  /** redis-benchmark -t name. */
  flag: string;
  /** A command that must not error for the run to mean anything. */
  probe: RespArg[];
}

const TESTS: readonly BenchTest[] = [
  { flag: 'set', probe: ['SET', 'bench:probe', 'x'] },
  { flag: 'get', probe: ['GET', 'bench:probe'] },
  { flag: 'incr', probe: ['INCR', 'bench:probe:counter'] },
  { flag: 'mset', probe: ['MSET', 'bench:probe:a', 'x', 'bench:probe:b', 'y'] },
];

/** A run slower than 1000 rps (or 30 s) is a hung server, not a result. */
function runTimeoutMs(requests: number): number {
  return Math.max(30_000, requests);
}

interface Mode {
  label: string;
  clients: number;
  pipeline: number;
  requests: number;
}

interface Contender {
  name: string;
  launch(port: number): LaunchCommand;
  /** Set once a start fails, so later phases skip it instead of failing the same way again. */
  startError?: string;
}

interface Options {
  rounds: number;
  requests: number;
  threadsList: number[];
  only: 'cpu' | 'memory' | undefined;
  pin: boolean;
  jsonPath: string | undefined;
  oursTemplate: string | undefined;
}

interface CpuSample {
  rps: number;
  cpuUsPerOp: number;
}

interface CpuResult {
  mode: string;
  test: string;
  contender: string;
  requests: number;
  samples: CpuSample[];
  medianRps: number;
  medianCpuUsPerOp: number;
  /** Reason there are no samples, when there are none. */
  skipped?: string;
}

interface MemoryResult {
  valueSize: number;
  contender: string;
  keys: number;
  rssBeforeBytes: number;
  rssAfterBytes: number;
  rssPeakBytes: number;
  bytesPerKey: number;
  /** DBSIZE after loading, or why it could not be checked. */
  dbsize: number | string;
}

const processStartMs = Date.now();

function progress(message: string): void {
  const seconds = ((Date.now() - processStartMs) / 1000).toFixed(1).padStart(5);
  process.stderr.write(`${seconds}s ${message}\n`);
}

function usage(): string {
  return [
    'usage: node dist/bench/foundation.js [options]',
    `  --quick               ${QUICK_REQUESTS} requests, 1 round`,
    `  --rounds R            rounds of interleaved runs (default ${DEFAULT_ROUNDS})`,
    `  --requests N          requests per -c 50 run (default ${DEFAULT_REQUESTS}; pipelined runs use ${PIPELINED_REQUEST_SCALE}x)`,
    '  --threads-list 1,2    nodefly --threads values to compare',
    '  --only cpu|memory     run one part only',
    `  --pin                 taskset: servers on CPU ${SERVER_CPUS}, redis-benchmark on CPU ${CLIENT_CPUS}`,
    '  --json FILE           also write all results as JSON',
    "  --ours-cmd TEMPLATE   shell command for nodefly, with {port} and {threads} (env NODEFLY_BENCH_CMD)",
  ].join('\n');
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      requests: { type: 'string' },
      'threads-list': { type: 'string', default: '1,2' },
      only: { type: 'string' },
      pin: { type: 'boolean', default: false },
      json: { type: 'string' },
      'ours-cmd': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${usage()}\n`);
    process.exit(0);
  }
  if (values.only !== undefined && values.only !== 'cpu' && values.only !== 'memory') {
    throw new Error(`--only takes cpu or memory, got "${values.only}"`);
  }
  return {
    rounds: values.rounds !== undefined ? positiveInteger(values.rounds, '--rounds') : values.quick ? 1 : DEFAULT_ROUNDS,
    requests:
      values.requests !== undefined
        ? positiveInteger(values.requests, '--requests')
        : values.quick
          ? QUICK_REQUESTS
          : DEFAULT_REQUESTS,
    threadsList: values['threads-list'].split(',').map((text) => positiveInteger(text.trim(), '--threads-list')),
    only: values.only,
    pin: values.pin,
    jsonPath: values.json,
    oursTemplate: values['ours-cmd'] ?? process.env.NODEFLY_BENCH_CMD,
  };
}

/** The contenders that can run here; what is missing goes into `notes`, said plainly. */
function contenders(options: Options, notes: string[]): Contender[] {
  const pinned = (launch: LaunchCommand): LaunchCommand => (options.pin ? pinToCpus(launch, SERVER_CPUS) : launch);
  const list: Contender[] = [];
  if (findExecutable('redis-server')) {
    list.push({
      name: REDIS_NAME,
      launch: (port) =>
        pinned({
          command: 'redis-server',
          args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'],
        }),
    });
  } else {
    notes.push('redis-server is not on PATH: no Redis baseline, so no ratios.');
  }

  const cliPath = join(__dirname, '..', 'src', 'cli.js');
  if (options.oursTemplate === undefined && !existsSync(cliPath)) {
    notes.push(`${cliPath} does not exist (server not built?): nodefly skipped. Set --ours-cmd or NODEFLY_BENCH_CMD to stand in.`);
    return list;
  }
  for (const threads of options.threadsList) {
    list.push({
      name: `ours t${threads}`,
      launch: (port) =>
        pinned(
          options.oursTemplate !== undefined
            ? fromShellTemplate(options.oursTemplate, { port, threads })
            : {
                // bin/nodefly: the server as it is meant to be started (with its V8 flags).
                command: join(__dirname, '..', '..', 'bin', 'nodefly'),
                args: ['--port', String(port), '--bind', '127.0.0.1', '--threads', String(threads), '--loglevel', 'warning'],
              },
        ),
    });
  }
  return list;
}

async function startContender(contender: Contender): Promise<ServerProcess> {
  const port = await freePort();
  try {
    return await startServer({ name: contender.name, launch: contender.launch(port), port });
  } catch (error) {
    contender.startError = (error as Error).message;
    throw error;
  }
}

/** Which tests the server rejects, with the error it gave. */
async function unsupportedTests(server: ServerProcess): Promise<Map<string, string>> {
  const unsupported = new Map<string, string>();
  const client = await RespClient.connect(server.port);
  try {
    for (const test of TESTS) {
      const reply = await client.command(test.probe);
      if (reply instanceof RespError) unsupported.set(test.flag, `${test.probe[0]} replied -${reply.message}`);
    }
    await client.command(['DEL', 'bench:probe', 'bench:probe:counter', 'bench:probe:a', 'bench:probe:b']);
  } finally {
    client.close();
  }
  return unsupported;
}

async function runCpu(options: Options, list: Contender[], notes: string[]): Promise<CpuResult[]> {
  if (!findExecutable('redis-benchmark')) {
    notes.push('redis-benchmark is not on PATH: CPU/throughput part skipped.');
    return [];
  }
  const clientCpus = options.pin ? CLIENT_CPUS : undefined;
  const modes: Mode[] = [
    { label: 'c50', clients: 50, pipeline: 1, requests: options.requests },
    { label: 'c50 P16', clients: 50, pipeline: 16, requests: options.requests * PIPELINED_REQUEST_SCALE },
  ];

  const running: { server: ServerProcess; unsupported: Map<string, string> }[] = [];
  for (const contender of list) {
    let server: ServerProcess | undefined;
    try {
      server = await startContender(contender);
      progress(`started ${contender.name} (pid ${server.pid}, port ${server.port}): ${describe(contender.launch(server.port))}`);
      const unsupported = await unsupportedTests(server);
      for (const [flag, why] of unsupported) notes.push(`${contender.name}: ${flag} skipped (${why}).`);
      running.push({ server, unsupported });
    } catch (error) {
      notes.push(`${contender.name}: could not start or probe: ${(error as Error).message}`);
      await server?.stop();
    }
  }

  const results: CpuResult[] = [];
  try {
    for (const mode of modes) {
      const resultFor = new Map<string, CpuResult>();
      for (const test of TESTS) {
        for (const { server, unsupported } of running) {
          const result: CpuResult = {
            mode: mode.label,
            test: test.flag,
            contender: server.name,
            requests: mode.requests,
            samples: [],
            medianRps: NaN,
            medianCpuUsPerOp: NaN,
            skipped: unsupported.get(test.flag),
          };
          resultFor.set(`${test.flag}/${server.name}`, result);
          results.push(result);
        }
      }

      for (const { server, unsupported } of running) {
        if (server.exitReason !== undefined) continue;
        const tests = TESTS.map((test) => test.flag).filter((flag) => !unsupported.has(flag));
        progress(`[${mode.label}] warm-up ${server.name}`);
        await runRedisBenchmark({
          port: server.port,
          tests,
          requests: Math.ceil(mode.requests * WARMUP_FRACTION),
          clients: mode.clients,
          pipeline: mode.pipeline,
          cpuList: clientCpus,
          timeoutMs: runTimeoutMs(mode.requests),
        }).catch((error: Error) => progress(`  warm-up failed: ${error.message}`));
      }

      for (let round = 1; round <= options.rounds; round++) {
        for (const test of TESTS) {
          for (const { server } of running) {
            const result = resultFor.get(`${test.flag}/${server.name}`)!;
            if (result.skipped !== undefined) continue;
            if (server.exitReason !== undefined) {
              result.skipped = `server exited (${server.exitReason})`;
              continue;
            }
            try {
              const ticksBefore = readCpuTicks(server.pid);
              const [row] = await runRedisBenchmark({
                port: server.port,
                tests: [test.flag],
                requests: mode.requests,
                clients: mode.clients,
                pipeline: mode.pipeline,
                cpuList: clientCpus,
                timeoutMs: runTimeoutMs(mode.requests),
              });
              const cpuUsPerOp = ticksToMicros(readCpuTicks(server.pid) - ticksBefore) / mode.requests;
              if (row === undefined) throw new Error('redis-benchmark printed no result row');
              result.samples.push({ rps: row.rps, cpuUsPerOp });
              progress(
                `[${mode.label} round ${round}/${options.rounds}] ${test.flag.padEnd(4)} ${server.name.padEnd(8)} ` +
                  `${row.rps.toFixed(0).padStart(8)} rps  ${cpuUsPerOp.toFixed(2).padStart(6)} CPU µs/op`,
              );
            } catch (error) {
              const why = server.exitReason !== undefined ? `server exited (${server.exitReason})` : (error as Error).message;
              progress(`[${mode.label} round ${round}] ${test.flag} ${server.name} failed: ${why}`);
              notes.push(`${mode.label} ${test.flag} ${server.name} round ${round}: no figure (${why}).`);
            }
          }
        }
      }
      for (const result of resultFor.values()) {
        result.medianRps = median(result.samples.map((sample) => sample.rps));
        result.medianCpuUsPerOp = median(result.samples.map((sample) => sample.cpuUsPerOp));
      }
    }
  } finally {
    for (const { server } of running) await server.stop();
  }
  return results;
}

function settle(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function measureMemory(contender: Contender, valueSize: number): Promise<MemoryResult> {
  const server = await startContender(contender);
  try {
    const client = await RespClient.connect(server.port);
    try {
      await settle(MEMORY_SETTLE_MS);
      const rssBeforeBytes = readRssBytes(server.pid);
      const sampler = new RssSampler(server.pid);
      sampler.start();
      try {
        await loadDistinctKeys(client, { count: MEMORY_KEYS, valueSize });
      } finally {
        sampler.stop();
      }
      const dbsizeReply = await client.command(['DBSIZE']);
      const dbsize = typeof dbsizeReply === 'number' ? dbsizeReply : `unchecked (${describeReply(dbsizeReply)})`;
      if (typeof dbsize === 'number' && dbsize !== MEMORY_KEYS) {
        throw new Error(`DBSIZE is ${dbsize} after loading ${MEMORY_KEYS} distinct keys`);
      }
      await settle(MEMORY_SETTLE_MS);
      const rssAfterBytes = readRssBytes(server.pid);
      return {
        valueSize,
        contender: contender.name,
        keys: MEMORY_KEYS,
        rssBeforeBytes,
        rssAfterBytes,
        rssPeakBytes: Math.max(sampler.peakBytes, rssAfterBytes),
        bytesPerKey: (rssAfterBytes - rssBeforeBytes) / MEMORY_KEYS,
        dbsize,
      };
    } finally {
      client.close();
    }
  } finally {
    await server.stop();
  }
}

function describeReply(reply: unknown): string {
  return reply instanceof RespError ? `-${reply.message}` : JSON.stringify(reply);
}

async function runMemory(list: Contender[], notes: string[]): Promise<MemoryResult[]> {
  const results: MemoryResult[] = [];
  for (const valueSize of MEMORY_VALUE_SIZES) {
    for (const contender of list) {
      if (contender.startError !== undefined) continue; // already in the notes
      try {
        const result = await measureMemory(contender, valueSize);
        results.push(result);
        if (typeof result.dbsize === 'string') notes.push(`memory ${valueSize} B ${contender.name}: key count ${result.dbsize}.`);
        progress(
          `[memory ${valueSize} B] ${contender.name.padEnd(8)} ${result.bytesPerKey.toFixed(0).padStart(5)} bytes/key ` +
            `(RSS ${mib(result.rssBeforeBytes)} -> ${mib(result.rssAfterBytes)} MiB, peak ${mib(result.rssPeakBytes)})`,
        );
      } catch (error) {
        progress(`[memory ${valueSize} B] ${contender.name} failed: ${(error as Error).message}`);
        notes.push(`memory ${valueSize} B ${contender.name}: no figure (${(error as Error).message}).`);
      }
    }
  }
  return results;
}

function mib(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}

/** ratio of a contender's figure to Redis's, undefined for Redis itself or without a Redis figure. */
function ratioToRedis(contender: string, value: number, redisValue: number | undefined): number | undefined {
  return contender === REDIS_NAME || redisValue === undefined ? undefined : value / redisValue;
}

function targetVerdict(ratio: number | undefined, target: number | undefined): string {
  if (target === undefined) return '';
  if (ratio === undefined || !Number.isFinite(ratio)) return `<=${target}x`;
  return `<=${target}x ${ratio <= target ? 'met' : 'MISSED'}`;
}

function cpuTable(results: CpuResult[]): string {
  const redisResult = (mode: string, test: string): CpuResult | undefined =>
    results.find((r) => r.mode === mode && r.test === test && r.contender === REDIS_NAME && r.samples.length > 0);
  const rows = results.map((result) => {
    if (result.samples.length === 0) {
      return [result.mode, result.test, result.contender, 'n/a', '', 'n/a', '', '', 'no figure (see notes)'];
    }
    const redis = redisResult(result.mode, result.test);
    const cpuRatio = ratioToRedis(result.contender, result.medianCpuUsPerOp, redis?.medianCpuUsPerOp);
    return [
      result.mode,
      result.test,
      result.contender,
      formatNumber(result.medianRps, 0),
      result.samples.length < 2 ? '-' : `${(relativeSpread(result.samples.map((s) => s.rps)) * 100).toFixed(0)}%`,
      formatNumber(result.medianCpuUsPerOp, 2),
      formatRatio(ratioToRedis(result.contender, result.medianRps, redis?.medianRps)),
      formatRatio(cpuRatio),
      result.contender === REDIS_NAME ? '' : targetVerdict(cpuRatio, CPU_TARGET),
    ];
  });
  return formatTable(
    [
      { header: 'mode' },
      { header: 'test' },
      { header: 'contender' },
      { header: 'rps', align: 'right' },
      { header: 'spread', align: 'right' },
      { header: 'CPU µs/op', align: 'right' },
      { header: 'rps/Redis', align: 'right' },
      { header: 'CPU/Redis', align: 'right' },
      { header: 'CPU target' },
    ],
    rows,
  );
}

function memoryTable(results: MemoryResult[]): string {
  const rows = results.map((result) => {
    const redis = results.find((r) => r.valueSize === result.valueSize && r.contender === REDIS_NAME);
    const ratio = ratioToRedis(result.contender, result.bytesPerKey, redis?.bytesPerKey);
    return [
      `${result.valueSize} B`,
      result.contender,
      mib(result.rssBeforeBytes),
      mib(result.rssAfterBytes),
      mib(result.rssPeakBytes),
      formatNumber(result.bytesPerKey, 0),
      formatRatio(ratio),
      result.contender === REDIS_NAME ? '' : targetVerdict(ratio, MEMORY_TARGETS[result.valueSize]),
    ];
  });
  return formatTable(
    [
      { header: 'value' },
      { header: 'contender' },
      { header: 'RSS before MiB', align: 'right' },
      { header: 'after MiB', align: 'right' },
      { header: 'peak MiB', align: 'right' },
      { header: 'bytes/key', align: 'right' },
      { header: 'vs Redis', align: 'right' },
      { header: 'target' },
    ],
    rows,
  );
}

async function main(): Promise<void> {
  const options = parseOptions();
  if (options.pin && !findExecutable('taskset')) throw new Error('--pin needs taskset, which is not on PATH');
  const notes: string[] = [];
  const list = contenders(options, notes);
  const out: string[] = [
    `nodefly foundation benchmark — ${new Date().toISOString()}, node ${process.version}, CLK_TCK ${clockTicksPerSecond()}`,
    `contenders: ${list.map((c) => c.name).join(', ') || 'none'}; rounds ${options.rounds}; ` +
      `${options.requests} requests per -c 50 run, ${options.requests * PIPELINED_REQUEST_SCALE} per -P 16 run` +
      (options.pin ? `; pinned: servers on CPU ${SERVER_CPUS}, client on CPU ${CLIENT_CPUS}` : ''),
  ];
  if (options.oursTemplate !== undefined) out.push(`"ours" is a stand-in: ${options.oursTemplate}`);
  if (options.pin && options.threadsList.some((threads) => threads > 1)) {
    out.push(`note: pinned, every server thread shares CPU ${SERVER_CPUS}, so --threads > 1 cannot use a second core`);
  }

  let cpu: CpuResult[] = [];
  let memory: MemoryResult[] = [];
  if (list.length > 0 && options.only !== 'memory') cpu = await runCpu(options, list, notes);
  if (list.length > 0 && options.only !== 'cpu') memory = await runMemory(list, notes);

  if (cpu.length > 0) {
    // One clock tick spread over a run's requests: differences below this are noise.
    const tickResolution = (requests: number): string => (ticksToMicros(1) / requests).toFixed(2);
    out.push(
      '',
      'Throughput and server CPU per request (medians over rounds; spread = (max-min)/median of rps;',
      `CPU µs/op resolution ${tickResolution(options.requests)} at c50, ` +
        `${tickResolution(options.requests * PIPELINED_REQUEST_SCALE)} at P16)`,
      cpuTable(cpu),
    );
  }
  if (memory.length > 0) {
    out.push('', `Memory: RSS growth for ${MEMORY_KEYS} distinct keys, fresh server per row`, memoryTable(memory));
  }
  if (notes.length > 0) out.push('', 'Notes:', ...notes.map((note) => `- ${note}`));
  out.push('', `elapsed ${((Date.now() - processStartMs) / 1000).toFixed(0)} s`);
  process.stdout.write(`${out.join('\n')}\n`);

  if (options.jsonPath !== undefined) {
    const report = {
      startedAt: new Date(processStartMs).toISOString(),
      node: process.version,
      clockTicksPerSecond: clockTicksPerSecond(),
      options,
      targets: { cpuPerOpVsRedis: CPU_TARGET, bytesPerKeyVsRedis: MEMORY_TARGETS },
      cpu,
      memory,
      notes,
    };
    writeFileSync(options.jsonPath, `${JSON.stringify(report, null, 2)}\n`);
    progress(`wrote ${options.jsonPath}`);
  }
}

process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

main().catch((error: Error) => {
  process.stderr.write(`foundation benchmark failed: ${error.message}\n`);
  process.exit(1);
});
