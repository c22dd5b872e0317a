// Runs redis-benchmark against a port and parses its --csv output.

import { execFile } from 'node:child_process';
import { LaunchCommand, pinToCpus } from './command';
import { ticksToMicros } from './proc';

export interface RedisBenchmarkOptions {
  port: number;
  host?: string;
  /** Names accepted by -t, e.g. ['set', 'get']; or give `command`. */
  tests?: readonly string[];
  /** A custom command run instead of -t tests, e.g. ['GET', 'key:__rand_int__']. */
  command?: readonly string[];
  /** -r: `__rand_int__` becomes a 12-digit number below this. */
  keyspace?: number;
  requests: number;
  clients: number;
  pipeline?: number;
  /** -d: value size in bytes. */
  dataSize?: number;
  /** Pin the client with taskset -c. */
  cpuList?: string;
  timeoutMs?: number;
}

export interface RedisBenchmarkResult {
  /** As printed by redis-benchmark, e.g. "SET" or "MSET (10 keys)". */
  test: string;
  rps: number;
  avgLatencyMs: number;
  p50LatencyMs: number;
  p99LatencyMs: number;
  maxLatencyMs: number;
}

export function redisBenchmarkCommand(options: RedisBenchmarkOptions): LaunchCommand {
  if ((options.tests === undefined) === (options.command === undefined)) {
    throw new Error('redis-benchmark needs either tests or a custom command');
  }
  const args = [
    '-h', options.host ?? '127.0.0.1',
    '-p', String(options.port),
    '-n', String(options.requests),
    '-c', String(options.clients),
    '-P', String(options.pipeline ?? 1),
    '--csv',
  ];
  if (options.dataSize !== undefined) args.push('-d', String(options.dataSize));
  if (options.keyspace !== undefined) args.push('-r', String(options.keyspace));
  if (options.tests !== undefined) args.push('-t', options.tests.join(','));
  else args.push(...options.command!);
  const launch = { command: 'redis-benchmark', args };
  return options.cpuList === undefined ? launch : pinToCpus(launch, options.cpuList);
}

/** Runs redis-benchmark to completion; rejects on a non-zero exit, a timeout or unparsable output. */
export async function runRedisBenchmark(options: RedisBenchmarkOptions): Promise<RedisBenchmarkResult[]> {
  return (await execRedisBenchmark(options, redisBenchmarkCommand(options))).rows;
}

export interface MeasuredRedisBenchmark {
  rows: RedisBenchmarkResult[];
  /** CPU (user+system) redis-benchmark itself used, for comparing load generators. */
  clientCpuMicros: number;
}

const CHILD_STAT_MARKER = '@@child-stat ';

/**
 * runRedisBenchmark, also measuring the client's own CPU: a shell runs it and then
 * prints its own /proc stat, whose cutime+cstime now hold the reaped child's time.
 */
export async function runRedisBenchmarkMeasured(options: RedisBenchmarkOptions): Promise<MeasuredRedisBenchmark> {
  const inner = redisBenchmarkCommand(options);
  const script = `"$@"; status=$?; echo "${CHILD_STAT_MARKER}$(cat /proc/$$/stat)" >&2; exit $status`;
  const { rows, stderr } = await execRedisBenchmark(options, {
    command: '/bin/sh',
    args: ['-c', script, 'sh', inner.command, ...inner.args],
  });
  const statLine = stderr.split('\n').find((line) => line.startsWith(CHILD_STAT_MARKER));
  if (statLine === undefined) throw new Error('redis-benchmark wrapper printed no child stat');
  const stat = statLine.slice(CHILD_STAT_MARKER.length);
  // After the comm field: fields[0] is field 3, so cutime (16) and cstime (17) are at 13 and 14.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { rows, clientCpuMicros: ticksToMicros(Number(fields[13]) + Number(fields[14])) };
}

function execRedisBenchmark(
  options: RedisBenchmarkOptions,
  launch: LaunchCommand,
): Promise<{ rows: RedisBenchmarkResult[]; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      launch.command,
      launch.args,
      { timeout: options.timeoutMs ?? 120_000, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          const how = error.killed ? 'timed out' : `exited with ${error.signal ?? `code ${error.code}`}`;
          const said = (stderr.trim() || stdout.trim()).split('\n').slice(-3).join(' / ');
          reject(new Error(`redis-benchmark ${how}${said ? `: ${said}` : ''}`));
          return;
        }
        try {
          resolve({ rows: parseRedisBenchmarkCsv(stdout), stderr });
        } catch (parseError) {
          reject(parseError);
        }
      },
    );
  });
}

/** Splits one CSV line of redis-benchmark output (every field double-quoted). */
function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  const fieldPattern = /"((?:[^"]|"")*)"|([^,]*)/g;
  for (let start = 0; start <= line.length; ) {
    fieldPattern.lastIndex = start;
    const match = fieldPattern.exec(line)!;
    fields.push(match[1] !== undefined ? match[1].replace(/""/g, '"') : match[2]);
    start = fieldPattern.lastIndex + 1; // skip the comma
  }
  return fields;
}

/** Parses `redis-benchmark --csv` output: a header row, then one row per test. */
export function parseRedisBenchmarkCsv(text: string): RedisBenchmarkResult[] {
  const lines = text.split(/\r?\n/).filter((line) => line.startsWith('"'));
  const headerIndex = lines.findIndex((line) => line.startsWith('"test"'));
  if (headerIndex < 0) throw new Error(`redis-benchmark printed no CSV header:\n${text.slice(0, 500)}`);
  const header = splitCsvLine(lines[headerIndex]);
  const column = (name: string): number => {
    const index = header.indexOf(name);
    if (index < 0) throw new Error(`redis-benchmark CSV has no "${name}" column`);
    return index;
  };
  const columns = {
    test: column('test'),
    rps: column('rps'),
    avg: column('avg_latency_ms'),
    p50: column('p50_latency_ms'),
    p99: column('p99_latency_ms'),
    max: column('max_latency_ms'),
  };
  return lines.slice(headerIndex + 1).map((line) => {
    const fields = splitCsvLine(line);
    const result: RedisBenchmarkResult = {
      test: fields[columns.test],
      rps: Number(fields[columns.rps]),
      avgLatencyMs: Number(fields[columns.avg]),
      p50LatencyMs: Number(fields[columns.p50]),
      p99LatencyMs: Number(fields[columns.p99]),
      maxLatencyMs: Number(fields[columns.max]),
    };
    if (!Number.isFinite(result.rps)) throw new Error(`unparsable redis-benchmark row: ${line}`);
    return result;
  });
}
