// Starts and stops server processes for tests: our own (dist/src/cli.js) and,
// for differential tests, a real redis-server. Every process is started in its
// own process group and killed when the test file's process exits.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface RunningServer {
  port: number;
  host: string;
  pid: number;
  stop(): Promise<void>;
  /** Everything the process wrote (stderr and stdout interleaved), last 1 MiB. */
  stderr(): string;
}

const HOST = '127.0.0.1';
const REPO_ROOT = path.resolve(__dirname, '../../..'); // dist/test/helpers -> repo
const CLI_PATH = path.join(REPO_ROOT, 'dist/src/cli.js');
/** How the server is meant to be started: runs CLI_PATH with the server's V8 flags. */
export const BIN_PATH = path.join(REPO_ROOT, 'bin/nodefly');
const READY_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5_000;
const OUTPUT_LIMIT = 1 << 20;
const START_ATTEMPTS = 3; // freePort() can race with another process taking the port

/** Process groups still alive, with their cleanup; killed synchronously if the test process exits first. */
const liveGroups = new Map<number, (() => void) | undefined>();
let exitHookInstalled = false;

function killAllGroups(): void {
  for (const [pgid, cleanup] of liveGroups) {
    killGroup(pgid, 'SIGKILL');
    cleanup?.();
  }
  liveGroups.clear();
}

/** A signal skips 'exit' hooks, so terminating signals kill the servers too, then take their default course. */
function onTerminatingSignal(signal: NodeJS.Signals): void {
  killAllGroups();
  if (process.listenerCount(signal) === 1) {
    process.removeListener(signal, onTerminatingSignal);
    process.kill(process.pid, signal);
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', killAllGroups);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onTerminatingSignal);
}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

const whichCache = new Map<string, string | null>();

/** Absolute path of an executable on PATH, or null. */
export function which(bin: string): string | null {
  const cached = whichCache.get(bin);
  if (cached !== undefined) return cached;
  let found: string | null = null;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, bin);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) {
        found = candidate;
        break;
      }
    } catch {
      // not here
    }
  }
  whichCache.set(bin, found);
  return found;
}

/** Resolves true once the port answers PING with +PONG (LOADING and the like are not ready). */
function pingOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: HOST });
    let reply = '';
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) finish(reply.startsWith('+PONG\r\n'));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface LaunchSpec {
  command: string;
  args: string[];
  cwd?: string;
  cleanup?: () => void;
}

/** Spawns one process and waits until it answers PING; rejects with its output if it exits or times out. */
async function launch(port: number, spec: LaunchSpec): Promise<RunningServer> {
  installExitHook();
  const child: ChildProcess = spawn(spec.command, spec.args, {
    cwd: spec.cwd ?? REPO_ROOT,
    detached: true, // own process group: stop() reaches shells' children and workers alike
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) {
    const err = await new Promise<Error>((resolve) => child.once('error', resolve));
    throw new Error(`cannot start ${spec.command}: ${err.message}`);
  }
  liveGroups.set(pid, spec.cleanup);
  // Unreferenced: a test file that forgets stop() still exits, and the exit hook kills the server.
  child.unref();
  for (const stream of [child.stdout, child.stderr] as net.Socket[]) stream.unref();

  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (output.length > OUTPUT_LIMIT * 2) output = output.slice(-OUTPUT_LIMIT);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  // 'close' rather than 'exit': the output is complete then, so a failed start can show all of it.
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
    liveGroups.delete(pid);
    spec.cleanup?.();
  });

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (!hasExited) {
        killGroup(pid, 'SIGTERM');
        const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }
      killGroup(pid, 'SIGKILL'); // leftovers in the group, e.g. a shell's grandchildren
    })();
    return stopping;
  };
  const server: RunningServer = {
    port,
    host: HOST,
    pid,
    stop,
    stderr: () => (output.length > OUTPUT_LIMIT ? output.slice(-OUTPUT_LIMIT) : output),
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!hasExited) {
    if (await pingOnce(port)) return server;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${commandLine(spec)} did not answer PING within ${READY_TIMEOUT_MS}ms; output:\n${server.stderr()}`);
    }
    await sleep(50);
  }
  throw new StartError(`${commandLine(spec)} exited with ${child.exitCode ?? child.signalCode} before answering PING; output:\n${server.stderr()}`, output);
}

class StartError extends Error {
  constructor(message: string, readonly output: string) {
    super(message);
  }
}

function commandLine(spec: LaunchSpec): string {
  return [spec.command, ...spec.args].join(' ');
}

/** Retries on a new port when the one picked by freePort() was taken meanwhile. */
async function launchOnFreePort(makeSpec: (port: number) => LaunchSpec): Promise<RunningServer> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await launch(port, makeSpec(port));
    } catch (err) {
      const portTaken = err instanceof StartError && /EADDRINUSE|address already in use/i.test(err.output);
      if (!portTaken || attempt === START_ATTEMPTS) throw err;
    }
  }
}

/**
 * Starts our server (dist/src/cli.js) on a free port. NODEFLY_SERVER_CMD
 * replaces it with any shell command, with {port} and {threads} substituted
 * (e.g. `redis-server --port {port} --save ''`), so the tests can be validated
 * against Redis itself; extra args are appended to that command.
 */
export function startServer(opts: { threads?: number; args?: string[] } = {}): Promise<RunningServer> {
  const threads = opts.threads ?? 2;
  const extraArgs = opts.args ?? [];
  const template = process.env.NODEFLY_SERVER_CMD;
  if (template) {
    return launchOnFreePort((port) => ({
      command: '/bin/sh',
      args: ['-c', [template.replaceAll('{port}', String(port)).replaceAll('{threads}', String(threads)), ...extraArgs.map(shellQuote)].join(' ')],
    }));
  }
  if (!fs.existsSync(CLI_PATH)) {
    return Promise.reject(new Error(`${CLI_PATH} not found: run \`npm run build\` (or set NODEFLY_SERVER_CMD)`));
  }
  return launchOnFreePort((port) => ({
    command: BIN_PATH,
    args: ['--port', String(port), '--bind', HOST, '--threads', String(threads), '--loglevel', 'warning', ...extraArgs],
  }));
}

/** True when dist/src/cli.js is built or NODEFLY_SERVER_CMD names a stand-in. */
export function serverAvailable(): boolean {
  return Boolean(process.env.NODEFLY_SERVER_CMD) || fs.existsSync(CLI_PATH);
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

let redisSkipReported = false;
let redisVersionChecked: string | null | undefined;

/** Major version of the installed redis-server, or null when it is missing. */
function redisServerVersion(): string | null {
  if (redisVersionChecked !== undefined) return redisVersionChecked;
  const bin = which('redis-server');
  const out = bin ? spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout : '';
  redisVersionChecked = /v=(\d+\.\d+\.\d+)/.exec(out ?? '')?.[1] ?? null;
  return redisVersionChecked;
}

/**
 * Starts a real redis-server 7 on a free port, persistence off, working dir in
 * a temp folder. Resolves null (after printing one SKIP line) when no
 * redis-server 7+ is installed.
 */
export function startRedis(args: string[] = []): Promise<RunningServer | null> {
  const version = redisServerVersion();
  if (version === null || Number(version.split('.')[0]) < 7) {
    if (!redisSkipReported) {
      redisSkipReported = true;
      console.log(version === null ? 'SKIP: redis-server not installed (apt-get install redis-server)' : `SKIP: redis-server ${version} is older than 7`);
    }
    return Promise.resolve(null);
  }
  return launchOnFreePort((port) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodefly-redis-'));
    return {
      command: which('redis-server')!,
      args: ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', dir, ...args],
      cwd: dir,
      cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  });
}
