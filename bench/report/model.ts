// The shape of a benchmark run's results, as written to bench/results/*.json and
// read by the markdown and chart renderers. A figure that could not be measured is
// absent (never zero), and `noFigure` says why.

import type { ContenderKind } from '../scenarios/contenders';
import type { ScenarioId } from '../scenarios/scenario';
import { median } from '../lib/stats';

/** One load-generator run against one contender. */
export interface LoadSample {
  round: number;
  opsPerSecond: number;
  avgMs: number;
  p50Ms: number;
  p99Ms: number;
  /** Server CPU (user+system, every thread) per command; absent for a server not started here. */
  cpuUsPerOp?: number;
  /** Share of replies that were misses (cache) or empty. */
  missRatio: number;
  errors: number;
  /** The generator's own CPU as a share of one core: near 1 would mean it, not the server, was the limit. */
  generatorCoreShare: number;
  /** Opening every connection until each had answered one PING (absent in results from before it was measured). */
  connectMs?: number;
}

/** One run of application requests over ioredis. */
export interface AppSample {
  round: number;
  requestsPerSecond: number;
  avgMs: number;
  p50Ms: number;
  p99Ms: number;
}

/** Medians over rounds. */
export interface ScenarioFigures {
  opsPerSecond: number;
  avgMs: number;
  p50Ms: number;
  p99Ms: number;
  cpuUsPerOp?: number;
  missRatio: number;
  connectMs?: number;
  appRequestsPerSecond?: number;
  appAvgMs?: number;
  appP50Ms?: number;
  appP99Ms?: number;
}

export type Ratios<T> = { [K in keyof T]?: number };

export interface ScenarioContenderResult {
  contender: string;
  noFigure?: string;
  samples: LoadSample[];
  appSamples: AppSample[];
  median?: ScenarioFigures;
  /** Each median figure divided by Redis's (so 2.0 means twice Redis's value). */
  vsRedis?: Ratios<ScenarioFigures>;
  /** Error replies during measured runs, with the first one quoted. */
  errors: number;
  firstError?: string;
  /** Why application-flow figures are missing while load figures exist (e.g. memcached: ioredis speaks RESP). */
  appNoFigure?: string;
}

export interface ScenarioResult {
  id: ScenarioId;
  title: string;
  request: string;
  results: ScenarioContenderResult[];
}

export type ValueKind = 'product-json' | 'small-value';

export interface MemoryResult {
  contender: string;
  valueKind: ValueKind;
  valueBytes: number;
  items: number;
  noFigure?: string;
  rssBeforeBytes?: number;
  rssAfterBytes?: number;
  bytesPerItem?: number;
  /** RSS growth for 100K items, in MiB. */
  mibPer100k?: number;
  vsRedis?: number;
}

export interface StartupResult {
  contender: string;
  /** Spawn to first PONG (memcached: first `version` reply), one per fresh start. */
  samplesMs: number[];
  medianMs: number;
  vsRedis?: number;
}

export interface ColdSetupResult {
  /** The commit cloned: a fresh clone has committed work only. */
  commit?: string;
  noFigure?: string;
  cloneMs?: number;
  installMs?: number;
  buildMs?: number;
  startMs?: number;
  totalMs?: number;
}

export interface GeneratorCheckSample {
  generator: 'ours' | 'redis-benchmark';
  opsPerSecond: number;
  avgMs: number;
  /** The generator's own CPU per command. */
  clientCpuUsPerOp: number;
  /** redis-server's CPU per command under this generator; absent for a server not started here. */
  serverCpuUsPerOp?: number;
}

/** Our generator against redis-benchmark on redis-server, same command, keys and concurrency. */
export interface GeneratorCheck {
  command: string;
  connections: number;
  operations: number;
  noFigure?: string;
  samples: GeneratorCheckSample[];
  medianOursOpsPerSecond?: number;
  medianRedisBenchmarkOpsPerSecond?: number;
  medianOursClientCpuUsPerOp?: number;
  medianRedisBenchmarkClientCpuUsPerOp?: number;
  verdict?: string;
}

export interface ContenderInfo {
  name: string;
  kind: ContenderKind;
  protocol: string;
  /** The command line it was started with, or the address it was found at. */
  how: string;
  version?: string;
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  host: string;
  cpus: number;
  node: string;
  /** 1-minute load average at start and end: how busy the machine was besides this run. */
  loadAverage: { start: number; end: number };
  mode: 'quick' | 'full';
  settings: Record<string, unknown>;
  contenders: ContenderInfo[];
  generatorCheck: GeneratorCheck;
  scenarios: ScenarioResult[];
  memory: MemoryResult[];
  startup: StartupResult[];
  coldSetup: ColdSetupResult;
  /** The article's own figures, for the side-by-side table. */
  article: { server: string; opsPerSecond: number; avgMs: number; mbPer100k: number }[];
  notes: string[];
}

export const ARTICLE_FIGURES: BenchReport['article'] = [
  { server: 'Dragonfly', opsPerSecond: 198_000, avgMs: 0.5, mbPer100k: 19 },
  { server: 'Memcached', opsPerSecond: 168_000, avgMs: 0.6, mbPer100k: 31 },
  { server: 'Redis', opsPerSecond: 142_000, avgMs: 0.8, mbPer100k: 48 },
];

/** Median of the defined values, or undefined when there are none. */
export function medianOf(values: readonly (number | undefined)[]): number | undefined {
  const defined = values.filter((value): value is number => value !== undefined && Number.isFinite(value));
  return defined.length === 0 ? undefined : median(defined);
}

/** Figure-by-figure ratio to the baseline, for the figures both have. */
export function ratios<T extends object>(figures: T, baseline: T): Ratios<T> {
  const out: Ratios<T> = {};
  for (const key of Object.keys(figures) as (keyof T)[]) {
    const value = figures[key];
    const base = baseline[key];
    if (typeof value === 'number' && typeof base === 'number' && base !== 0) out[key] = value / base;
  }
  return out;
}

/** Fills every `vsRedis` from the baseline's figures; the baseline itself gets none. */
export function attachRatios(report: Pick<BenchReport, 'scenarios' | 'memory' | 'startup'>, baseline: string): void {
  for (const scenario of report.scenarios) {
    const base = scenario.results.find((result) => result.contender === baseline)?.median;
    for (const result of scenario.results) {
      if (base && result.median && result.contender !== baseline) result.vsRedis = ratios(result.median, base);
    }
  }
  for (const result of report.memory) {
    const base = report.memory.find((r) => r.contender === baseline && r.valueKind === result.valueKind)?.mibPer100k;
    if (base !== undefined && result.mibPer100k !== undefined && result.contender !== baseline) result.vsRedis = result.mibPer100k / base;
  }
  const baseStartup = report.startup.find((result) => result.contender === baseline)?.medianMs;
  for (const result of report.startup) {
    if (baseStartup !== undefined && result.contender !== baseline) result.vsRedis = result.medianMs / baseStartup;
  }
}

/** "1 round", "5 rounds". */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
