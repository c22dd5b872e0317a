// The servers compared: which can run here, how each is started on a free port
// (or found at an address given on the command line), and how to stop it.

import { existsSync } from 'node:fs';
import { LaunchCommand, fromShellTemplate } from '../lib/command';
import { Protocol } from '../lib/loadgen';
import { answersVersion } from '../lib/memcached';
import { findExecutable } from '../lib/proc';
import { RespClient } from '../lib/resp';
import { ServerProcess, freePort, startServer } from '../lib/server';
import { Endpoint } from './scenario';

export type ContenderKind = 'ours' | 'redis' | 'memcached' | 'dragonfly';

export interface Address {
  host: string;
  port: number;
}

export interface Contender {
  /** Unique label in reports: "redis", "ours t1", "ours default", "memcached", "dragonfly". */
  name: string;
  kind: ContenderKind;
  protocol: Protocol;
  /** How to start it here; absent for a server already running at `address`. */
  launch?: (port: number) => LaunchCommand;
  address?: Address;
  /** For ours: the --threads given, or undefined for the server's default. */
  threads?: number;
}

/** A contender up and reachable; `server` (with its pid for /proc) only when this harness started it. */
export interface RunningContender {
  contender: Contender;
  endpoint: Endpoint;
  server?: ServerProcess;
}

/** Redis is the baseline of every ratio. */
export const BASELINE = 'redis';

/** Readiness probes this often make the startup figure precise to a few ms. */
export const STARTUP_POLL_MS = 2;
/** Memcached's article setup: no UDP, 2 threads, room for far more than the test loads. */
const MEMCACHED_ARGS = ['-U', '0', '-t', '2', '-m', '1024', '-l', '127.0.0.1'];

export function parseAddress(text: string, flag: string): Address {
  const match = /^(.+):(\d+)$/.exec(text);
  if (!match) throw new Error(`${flag} takes host:port, got "${text}"`);
  return { host: match[1], port: Number(match[2]) };
}

export interface ContenderOptions {
  /** Only servers at the given addresses; start nothing. */
  hostsOnly: boolean;
  redisAddr?: Address;
  memcachedAddr?: Address;
  oursAddr?: Address;
  dragonflyAddr?: Address;
  dragonflyBin?: string;
  /** `--threads` values to start ours with; undefined means the server's default (no flag). */
  oursThreads: (number | undefined)[];
  /** Shell template standing in for ours, with {port} and {threads}. */
  oursTemplate?: string;
  /** Path of the built server entry point. */
  oursCli: string;
  /** bin/nodefly: how the server is meant to be started (it sets the V8 flags). */
  oursBin: string;
}

/** The contenders that can run; each one that cannot goes into `notes`, said plainly. */
export function listContenders(options: ContenderOptions, notes: string[]): Contender[] {
  const list: Contender[] = [];
  const local = !options.hostsOnly;

  if (options.oursAddr) list.push({ name: 'ours', kind: 'ours', protocol: 'resp', address: options.oursAddr });
  else if (local && options.oursTemplate === undefined && !existsSync(options.oursCli)) {
    notes.push(`ours: ${options.oursCli} does not exist (not built?), so nodefly was not measured.`);
  } else if (local) {
    for (const threads of options.oursThreads) {
      list.push({
        name: threads === undefined ? 'ours default' : `ours t${threads}`,
        kind: 'ours',
        protocol: 'resp',
        threads,
        launch: (port) => {
          if (options.oursTemplate !== undefined) return fromShellTemplate(options.oursTemplate, { port, threads: threads ?? '' });
          const args = ['--port', String(port), '--bind', '127.0.0.1', '--loglevel', 'warning'];
          if (threads !== undefined) args.push('--threads', String(threads));
          return { command: options.oursBin, args };
        },
      });
    }
  }

  if (options.redisAddr) list.push({ name: 'redis', kind: 'redis', protocol: 'resp', address: options.redisAddr });
  else if (local && findExecutable('redis-server')) {
    list.push({
      name: 'redis',
      kind: 'redis',
      protocol: 'resp',
      launch: (port) => ({
        command: 'redis-server',
        args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'],
      }),
    });
  } else if (local) notes.push('redis: redis-server is not on PATH, so Redis was not measured.');

  if (options.memcachedAddr) list.push({ name: 'memcached', kind: 'memcached', protocol: 'memcached', address: options.memcachedAddr });
  else if (local && findExecutable('memcached')) {
    // memcached refuses to run as root unless told which user to stay.
    const asRoot = process.getuid?.() === 0 ? ['-u', 'root'] : [];
    list.push({
      name: 'memcached',
      kind: 'memcached',
      protocol: 'memcached',
      launch: (port) => ({ command: 'memcached', args: ['-p', String(port), ...MEMCACHED_ARGS, ...asRoot] }),
    });
  } else if (local) notes.push('memcached: not on PATH, so Memcached was not measured.');

  if (options.dragonflyAddr) list.push({ name: 'dragonfly', kind: 'dragonfly', protocol: 'resp', address: options.dragonflyAddr });
  else if (local && options.dragonflyBin !== undefined) {
    const bin = options.dragonflyBin;
    list.push({
      name: 'dragonfly',
      kind: 'dragonfly',
      protocol: 'resp',
      launch: (port) => ({
        command: bin,
        // An empty dbfilename: no snapshot is loaded at start or written at shutdown.
        args: [`--port=${port}`, '--bind=127.0.0.1', '--dbfilename=', '--logtostderr'],
      }),
    });
  } else notes.push('dragonfly: not measured (give --dragonfly-bin PATH or --dragonfly-addr host:port).');

  return list;
}

/** Starts a fresh server (or reaches a given one); its `server.readyMs` is the time to the first PONG. */
export async function startContender(contender: Contender): Promise<RunningContender> {
  if (contender.address) {
    const endpoint = { ...contender.address, protocol: contender.protocol };
    const reachable =
      contender.protocol === 'memcached'
        ? await answersVersion(endpoint.port, endpoint.host)
        : await RespClient.connect(endpoint.port, endpoint.host).then(
            (client) => client.command(['PING']).finally(() => client.close()).then((reply) => reply === 'PONG'),
            () => false,
          );
    if (!reachable) throw new Error(`${contender.name}: nothing answers at ${endpoint.host}:${endpoint.port}`);
    return { contender, endpoint };
  }
  const port = await freePort();
  const server = await startServer({
    name: contender.name,
    launch: contender.launch!(port),
    port,
    pollMs: STARTUP_POLL_MS,
    ready: contender.protocol === 'memcached' ? (readyPort) => answersVersion(readyPort) : undefined,
  });
  return { contender, endpoint: { host: '127.0.0.1', port, protocol: contender.protocol }, server };
}

export async function stopContender(running: RunningContender): Promise<void> {
  await running.server?.stop();
}
