// The results as markdown: first a table shaped like the article's (throughput,
// average latency, memory per 100K items, time to get running), then every figure
// per scenario, memory, startup and the generator check. Ratios to Redis are in
// brackets after each figure; a missing figure says "no figure" and why.

import { BASELINE } from '../scenarios/contenders';
import {
  BenchReport,
  MemoryResult,
  ScenarioContenderResult,
  ScenarioResult,
  StartupResult,
  ValueKind,
  plural,
} from './model';

function thousands(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function fixed(decimals: number, unit = ''): (value: number) => string {
  return (value) => `${value.toFixed(decimals)}${unit}`;
}

/** "12,345 (0.87x)", the ratio left out for Redis itself or where there is none. */
function cell(value: number | undefined, format: (value: number) => string, ratio?: number): string {
  if (value === undefined || !Number.isFinite(value)) return 'n/a';
  return ratio === undefined || !Number.isFinite(ratio) ? format(value) : `${format(value)} (${ratio.toFixed(2)}x)`;
}

function table(headers: string[], rows: string[][], rightAligned = headers.map((_, i) => i > 0)): string {
  const escape = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [
    `| ${headers.map(escape).join(' | ')} |`,
    `|${rightAligned.map((right) => (right ? '---:' : '---')).join('|')}|`,
    ...rows.map((row) => `| ${row.map(escape).join(' | ')} |`),
  ].join('\n');
}

function seconds(ms: number | undefined): string {
  return ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(1)} s`;
}

function memoryOf(report: BenchReport, contender: string, kind: ValueKind): MemoryResult | undefined {
  return report.memory.find((result) => result.contender === contender && result.valueKind === kind);
}

function startupOf(report: BenchReport, contender: string): StartupResult | undefined {
  return report.startup.find((result) => result.contender === contender);
}

function timeToRunning(report: BenchReport, contender: string): string {
  const startup = startupOf(report, contender);
  const start = startup ? `${cell(startup.medianMs, fixed(0, ' ms'), startup.vsRedis)} to first PONG` : 'n/a';
  const kind = report.contenders.find((c) => c.name === contender)?.kind;
  if (kind !== 'ours') return start;
  const cold = report.coldSetup;
  return cold.totalMs !== undefined ? `${start}; ${seconds(cold.totalMs)} from a fresh clone` : start;
}

function summary(report: BenchReport): string {
  const cache = report.scenarios.find((scenario) => scenario.id === 'cache');
  const rows = report.contenders.map((contender) => {
    const result = cache?.results.find((r) => r.contender === contender.name);
    const memory = memoryOf(report, contender.name, 'product-json');
    const figures = result?.median;
    const throughput = !cache
      ? 'cache scenario not run'
      : figures
        ? cell(figures.opsPerSecond, thousands, result?.vsRedis?.opsPerSecond)
        : `no figure: ${result?.noFigure ?? 'not run'}`;
    return [
      contender.name,
      throughput,
      figures ? cell(figures.avgMs, fixed(2), result?.vsRedis?.avgMs) : 'n/a',
      !memory ? 'not measured' : memory.mibPer100k !== undefined ? cell(memory.mibPer100k, fixed(1), memory.vsRedis) : `no figure: ${memory.noFigure}`,
      timeToRunning(report, contender.name),
    ];
  });
  return [
    table(['Server', 'Throughput (ops/s)', 'Avg latency (ms)', 'Memory per 100K items (MiB)', 'Time to get running'], rows),
    '',
    `Throughput and latency: the cache scenario at ${String(report.settings.connections)} connections, median of ` +
      `${plural(Number(report.settings.rounds), 'round')}. Memory: RSS growth for 100K × 400-byte product JSON. Ratios to Redis in brackets.`,
    '',
    "The article's figures, from its own machine (for shape, not for comparison with the above):",
    '',
    table(
      ['Server', 'Throughput (ops/s)', 'Avg latency (ms)', 'Memory per 100K items (MB)'],
      report.article.map((row) => [row.server, thousands(row.opsPerSecond), row.avgMs.toFixed(1), String(row.mbPer100k)]),
    ),
  ].join('\n');
}

function scenarioRow(result: ScenarioContenderResult): string[] {
  const m = result.median;
  const r = result.vsRedis ?? {};
  if (!m) return [result.contender, `no figure: ${result.noFigure ?? 'not run'}`, '', '', '', '', '', '', '', '', '', ''];
  const app = (value: number | undefined, ratio: number | undefined, format: (v: number) => string): string =>
    value === undefined ? 'n/a' : cell(value, format, ratio);
  return [
    result.contender + (result.errors > 0 ? ` (${result.errors} error replies: ${result.firstError ?? '?'})` : ''),
    cell(m.opsPerSecond, thousands, r.opsPerSecond),
    cell(m.avgMs, fixed(2), r.avgMs),
    cell(m.p50Ms, fixed(2), r.p50Ms),
    cell(m.p99Ms, fixed(2), r.p99Ms),
    m.cpuUsPerOp === undefined ? 'n/a (not started here)' : cell(m.cpuUsPerOp, fixed(1), r.cpuUsPerOp),
    `${(m.missRatio * 100).toFixed(1)}%`,
    app(m.connectMs, r.connectMs, fixed(0)),
    app(m.appRequestsPerSecond, r.appRequestsPerSecond, thousands),
    app(m.appAvgMs, r.appAvgMs, fixed(2)),
    app(m.appP50Ms, r.appP50Ms, fixed(2)),
    app(m.appP99Ms, r.appP99Ms, fixed(2)),
  ];
}

function scenarioSection(report: BenchReport, scenario: ScenarioResult): string {
  const appless = scenario.results.filter((result) => result.median && result.appNoFigure !== undefined);
  return [
    `### ${scenario.title} (\`${scenario.id}\`)`,
    '',
    `Load: ${scenario.request}; ${String(report.settings.connections)} connections, one command in flight each. ` +
      `App: the same request through ioredis on ${String(report.settings.appConnections)} connections.`,
    '',
    table(
      ['Contender', 'ops/s', 'avg ms', 'p50 ms', 'p99 ms', 'server CPU µs/op', 'miss/empty', 'connect ms', 'app req/s', 'app avg ms', 'app p50 ms', 'app p99 ms'],
      scenario.results.map(scenarioRow),
    ),
    ...appless.map((result) => `\n${result.contender}: no app figures, because ${result.appNoFigure}.`),
  ].join('\n');
}

function memorySection(report: BenchReport): string {
  if (report.memory.length === 0) return 'Not measured in this run.';
  const contenders = [...new Set(report.memory.map((result) => result.contender))];
  const kindCells = (contender: string, kind: ValueKind): string[] => {
    const result = memoryOf(report, contender, kind);
    if (result?.mibPer100k === undefined) return [`no figure: ${result?.noFigure ?? 'not run'}`, ''];
    return [cell(result.mibPer100k, fixed(1), result.vsRedis), result.bytesPerItem!.toFixed(0)];
  };
  return table(
    ['Contender', '400-byte JSON, SETEX 300: MiB / 100K', 'bytes/item', '16-byte value, SET: MiB / 100K', 'bytes/item'],
    contenders.map((contender) => [contender, ...kindCells(contender, 'product-json'), ...kindCells(contender, 'small-value')]),
  );
}

function startupSection(report: BenchReport): string {
  if (report.startup.length === 0) return 'Not measured: no server was started here.';
  const rows = report.startup.map((result) => [
    result.contender,
    cell(result.medianMs, fixed(0), result.vsRedis),
    String(result.samplesMs.length),
  ]);
  const cold = report.coldSetup;
  const coldLine =
    cold.totalMs !== undefined
      ? `Cold setup of ours from a fresh clone of ${cold.commit?.slice(0, 10)}: git clone ${seconds(cold.cloneMs)}, npm ci ` +
        `${seconds(cold.installMs)}, npm run build ${seconds(cold.buildMs)}, start to first PONG ${(cold.startMs ?? NaN).toFixed(0)} ms; ` +
        `total ${seconds(cold.totalMs)}. Redis and Memcached come installed from Debian packages, so only their start is timed.`
      : `Cold setup from a fresh clone: no figure (${cold.noFigure ?? 'not run'}).`;
  return [table(['Contender', 'start to first PONG, ms (median)', 'starts'], rows), '', coldLine].join('\n');
}

function generatorSection(report: BenchReport): string {
  const check = report.generatorCheck;
  if (check.noFigure !== undefined) return `No check: ${check.noFigure}.`;
  return [
    `Same command (${check.command}), ${check.connections} connections, ${check.operations} commands per run, no pipelining, alternating turns on one redis-server:`,
    '',
    table(
      ['Generator', 'ops/s (median)', 'its own CPU µs/op (median)'],
      [
        ['ours (bench/lib/loadgen.ts)', cell(check.medianOursOpsPerSecond, thousands), cell(check.medianOursClientCpuUsPerOp, fixed(1))],
        ['redis-benchmark', cell(check.medianRedisBenchmarkOpsPerSecond, thousands), cell(check.medianRedisBenchmarkClientCpuUsPerOp, fixed(1))],
      ],
    ),
    '',
    `Verdict: ${check.verdict}.`,
  ].join('\n');
}

export function renderMarkdown(report: BenchReport): string {
  const contenderLines = report.contenders.map(
    (contender) => `- **${contender.name}**${contender.version ? ` (${contender.version})` : ''}: \`${contender.how}\``,
  );
  return [
    `# nodefly benchmark: ${report.startedAt.slice(0, 16).replace('T', ' ')} UTC on ${report.host}`,
    '',
    `${report.mode === 'quick' ? 'Quick' : 'Full'} run: ${plural(Number(report.settings.rounds), 'interleaved round')} of ` +
      `${String(report.settings.operations)} commands per contender and scenario, medians reported. ${report.cpus} CPUs, ` +
      `load average ${report.loadAverage.start.toFixed(1)} at start and ${report.loadAverage.end.toFixed(1)} at end, Node ${report.node}. ` +
      `Ratios are to ${BASELINE}.`,
    '',
    ...contenderLines,
    '',
    '## Summary',
    '',
    summary(report),
    '',
    '## Scenarios',
    '',
    ...report.scenarios.flatMap((scenario) => [scenarioSection(report, scenario), '']),
    '## Memory per 100K items (RSS growth, fresh server per row)',
    '',
    memorySection(report),
    '',
    '## Time to get running',
    '',
    startupSection(report),
    '',
    '## Load generator check',
    '',
    generatorSection(report),
    '',
    ...(report.notes.length > 0 ? ['## Notes', '', ...report.notes.map((note) => `- ${note}`), ''] : []),
  ].join('\n');
}
