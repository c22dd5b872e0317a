// Linux /proc readers for measuring a server process from outside: CPU time over
// all of its threads and resident memory. Everything here is Linux-only.

import { execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

let cachedClockTicks = 0;

/** Kernel clock ticks per second (`getconf CLK_TCK`), the unit of utime/stime in /proc/<pid>/stat. */
export function clockTicksPerSecond(): number {
  if (cachedClockTicks === 0) {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    if (!Number.isInteger(ticks) || ticks <= 0) throw new Error(`getconf CLK_TCK gave ${ticks}`);
    cachedClockTicks = ticks;
  }
  return cachedClockTicks;
}

/**
 * utime+stime of a whole process in clock ticks. The process-level stat line sums
 * all live threads and those already exited, so worker threads are included.
 */
export function readCpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  // comm (field 2) may contain spaces and parentheses; fields after the last ')' are plain.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state), so utime (14) and stime (15) are at 11 and 12.
  return Number(fields[11]) + Number(fields[12]);
}

/** CPU microseconds represented by a tick count. */
export function ticksToMicros(ticks: number): number {
  return (ticks * 1e6) / clockTicksPerSecond();
}

/** Resident set size in bytes (VmRSS of /proc/<pid>/status). */
export function readRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'latin1');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS for pid ${pid} (exited?)`);
  return Number(match[1]) * 1024;
}

/** Polls RSS at a fixed interval to catch the peak, which a before/after pair misses. */
export class RssSampler {
  private timer: NodeJS.Timeout | undefined;
  peakBytes = 0;

  constructor(private readonly pid: number) {}

  start(intervalMs = 20): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  /** Takes a last sample and returns the peak seen. */
  stop(): number {
    clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
    return this.peakBytes;
  }

  private sample(): void {
    try {
      this.peakBytes = Math.max(this.peakBytes, readRssBytes(this.pid));
    } catch {
      // The process went away; the caller notices through its own channel.
    }
  }
}

/** Absolute path of an executable found on PATH, or undefined. */
export function findExecutable(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
