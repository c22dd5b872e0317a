// Time to get running: startup of an installed server to its first PONG (fresh
// starts, interleaved), and for ours the whole road from a fresh clone: clone,
// npm ci, build, start.

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MemcachedClient } from '../lib/memcached';
import { progress } from '../lib/progress';
import { RespClient } from '../lib/resp';
import { freePort, startServer } from '../lib/server';
import { ColdSetupResult } from '../report/model';
import { Contender, RunningContender, STARTUP_POLL_MS, startContender, stopContender } from './contenders';
import { StartupSamples, recordStartup } from './workload';

/** Starts and stops every contender `times` times, taking turns, recording time to first PONG. */
export async function measureStartups(contenders: readonly Contender[], times: number, samples: StartupSamples): Promise<void> {
  for (let time = 1; time <= times; time++) {
    for (const contender of contenders) {
      if (!contender.launch) continue;
      try {
        const running = await startContender(contender);
        recordStartup(samples, running);
        await stopContender(running);
      } catch (error) {
        progress(`[startup] ${contender.name} failed: ${(error as Error).message.split('\n')[0]}`);
      }
    }
  }
}

/** The server's own version line: `redis_version`/`dragonfly_version` from INFO, or memcached's `version`. */
export async function serverVersion(running: RunningContender): Promise<string | undefined> {
  const { host, port, protocol } = running.endpoint;
  if (protocol === 'memcached') {
    const client = await MemcachedClient.connect(port, host);
    try {
      return (await client.request('version\r\n', 'line')).trim();
    } finally {
      client.close();
    }
  }
  const client = await RespClient.connect(port, host);
  try {
    const info = await client.command(['INFO', 'server']);
    const text = Buffer.isBuffer(info) ? info.toString('latin1') : '';
    const versions = text.split('\r\n').filter((line) => /^(redis|dragonfly)_version:/.test(line));
    return versions.length > 0 ? versions.join(' ') : undefined;
  } finally {
    client.close();
  }
}

/** The thread count ours reports through CONFIG GET threads, if it does. */
export async function reportedThreads(running: RunningContender): Promise<number | undefined> {
  const client = await RespClient.connect(running.endpoint.port, running.endpoint.host);
  try {
    const reply = await client.command(['CONFIG', 'GET', 'threads']);
    const value = Array.isArray(reply) ? reply[1] : undefined;
    const threads = Buffer.isBuffer(value) ? Number(value.toString('latin1')) : NaN;
    return Number.isInteger(threads) ? threads : undefined;
  } finally {
    client.close();
  }
}

function timed(command: string, args: string[], cwd: string, timeoutMs: number): Promise<number> {
  const startedAt = performance.now();
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 }, (error, _stdout, stderr) => {
      if (error) {
        const tail = stderr.trim().split('\n').slice(-3).join(' / ');
        reject(new Error(`${command} ${args.join(' ')} failed${error.killed ? ' (timed out)' : ''}: ${tail || error.message}`));
        return;
      }
      resolve(performance.now() - startedAt);
    });
  });
}

/**
 * Clone of the repository's HEAD into a temporary directory, `npm ci`, `npm run
 * build`, and a start to the first PONG. npm may serve packages from its local
 * cache; the report says which commit was measured, since uncommitted work is not cloned.
 */
export async function measureColdSetup(repoRoot: string): Promise<ColdSetupResult> {
  const scratch = mkdtempSync(join(tmpdir(), 'nodefly-cold-'));
  const clone = join(scratch, 'nodefly');
  const result: ColdSetupResult = {};
  try {
    result.commit = await new Promise<string>((resolve, reject) =>
      execFile('git', ['-C', repoRoot, 'rev-parse', 'HEAD'], (error, stdout) => (error ? reject(error) : resolve(stdout.trim()))),
    );
    progress('[cold setup] git clone');
    result.cloneMs = await timed('git', ['clone', '--quiet', '--no-hardlinks', repoRoot, clone], scratch, 120_000);
    progress('[cold setup] npm ci');
    result.installMs = await timed('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], clone, 600_000);
    progress('[cold setup] npm run build');
    result.buildMs = await timed('npm', ['run', 'build', '--silent'], clone, 600_000);
    progress('[cold setup] start');
    const port = await freePort();
    const server = await startServer({
      name: 'ours (fresh clone)',
      launch: { command: process.execPath, args: [join(clone, 'dist', 'src', 'cli.js'), '--port', String(port), '--bind', '127.0.0.1', '--loglevel', 'warning'] },
      port,
      pollMs: STARTUP_POLL_MS,
    });
    result.startMs = server.readyMs;
    await server.stop();
    result.totalMs = result.cloneMs + result.installMs + result.buildMs + result.startMs;
  } catch (error) {
    result.noFigure = (error as Error).message.split('\n')[0];
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return result;
}
