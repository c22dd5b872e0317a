#!/usr/bin/env node
// Command line: flags and an optional redis.conf-style file, then start.
import { Command, Option } from 'commander';
import { config } from './config';
import { startServer } from './server';
import { SERVER_VERSION } from './version';

const program = new Command()
  .name('nodefly')
  .description('A Redis-compatible in-memory server (Redis 7.0 protocol), sharded across worker threads')
  .version(SERVER_VERSION)
  .option('-p, --port <port>', 'TCP port to listen on', '6379')
  .option('--bind <address>', 'address to bind', '127.0.0.1')
  .option('--threads <n>', 'shard threads (each owns connections and one shard of the keys)', config.string('threads'))
  .option('--databases <n>', 'number of logical databases', '16')
  .addOption(new Option('--loglevel <level>', 'log level').choices(['debug', 'verbose', 'notice', 'warning', 'nothing']).default('notice'))
  .option('--requirepass <password>', 'require clients to AUTH with this password')
  .option('--config <file>', 'redis.conf-style file: one "directive value" per line (flags given here win)')
  .option('--set <directive=value...>', 'any other config directive, e.g. --set maxmemory=1gb');

program.parse();
const opts = program.opts<Record<string, string | string[] | undefined>>();

try {
  if (opts.config) config.loadFile(opts.config as string);
  for (const name of ['port', 'bind', 'threads', 'databases', 'loglevel', 'requirepass']) {
    const value = opts[name];
    // Explicit flags override the file; defaults only apply when the file didn't set them.
    if (value !== undefined && (program.getOptionValueSource(name) === 'cli' || !opts.config)) config.set(name, value as string, true);
  }
  for (const pair of (opts.set as string[] | undefined) ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`--set expects directive=value, got '${pair}'`);
    config.set(pair.slice(0, eq), pair.slice(eq + 1), true);
  }
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
}

startServer().then(
  (server) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`received ${signal}, shutting down\n`);
      server.close().then(() => process.exit(0), () => process.exit(1));
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  },
  (err: Error) => {
    process.stderr.write(`could not start: ${err.message}\n`);
    process.exit(1);
  },
);
