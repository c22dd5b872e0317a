// Starting and stopping servers under test on free loopback ports. Every started
// process is tracked so an exiting or interrupted benchmark never leaves one behind.

import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { LaunchCommand } from './command';
import { answersPing } from './resp';

const STDERR_TAIL_BYTES = 4096;

/** A port the kernel just handed out on 127.0.0.1 (free now; not reserved). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const liveServers = new Set<ServerProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const server of liveServers) server.kill();
  });
}

export class ServerProcess {
  readonly pid: number;
  /** Milliseconds from spawn to the first successful readiness probe (PONG), set by startServer. */
  readyMs = NaN;
  private stderrTail = '';
  private exitStatus: string | undefined;
  private readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    if (child.pid === undefined) throw new Error(`${name}: spawn failed`);
    this.pid = child.pid;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL_BYTES);
    });
    child.stdout?.resume();
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitStatus = signal ? `signal ${signal}` : `exit code ${code}`;
        liveServers.delete(this);
        resolve();
      });
    });
    liveServers.add(this);
    installExitHook();
  }

  /** Why the process is gone, or undefined while it runs. */
  get exitReason(): string | undefined {
    return this.exitStatus;
  }

  get stderr(): string {
    return this.stderrTail;
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exitStatus !== undefined) return;
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.kill();
        resolve();
      }, graceMs);
    });
    await Promise.race([this.exited, killed]);
    clearTimeout(timer);
    await this.exited;
  }

  /** Immediate SIGKILL; safe to call from an exit handler. */
  kill(): void {
    if (this.exitStatus === undefined) this.child.kill('SIGKILL');
  }
}

export interface StartServerOptions {
  name: string;
  launch: LaunchCommand;
  port: number;
  readyTimeoutMs?: number;
  /** How readiness is told; PING answered with PONG unless given (memcached has no PING). */
  ready?: (port: number) => Promise<boolean>;
  /** Pause between readiness probes; small values make `readyMs` a startup-time figure. */
  pollMs?: number;
}

/** Spawns a server and resolves once it answers PING on `port`; rejects with its stderr if it dies or stalls. */
export async function startServer(options: StartServerOptions): Promise<ServerProcess> {
  const spawnedAt = performance.now();
  const child = spawn(options.launch.command, options.launch.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const spawned = await new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', resolve);
  });
  if (spawned) throw new Error(`${options.name}: cannot start ${options.launch.command}: ${spawned.message}`);
  const server = new ServerProcess(options.name, options.port, child);
  const deadline = Date.now() + (options.readyTimeoutMs ?? 15000);
  const ready = options.ready ?? ((port: number) => answersPing(port));
  while (!(await ready(options.port))) {
    if (server.exitReason !== undefined || Date.now() > deadline) {
      const why = server.exitReason ?? 'not ready before the deadline';
      await server.stop(1000);
      throw new Error(`${options.name} did not become ready (${why}). stderr:\n${server.stderr.trim() || '(empty)'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 50));
  }
  server.readyMs = performance.now() - spawnedAt;
  return server;
}
