// Runs the real redis-cli against a server, for tests of what redis-cli users see.

import { spawn } from 'node:child_process';
import { which } from './server';

export interface RedisCliResult {
  stdout: string;
  stderr: string;
  code: number | null;
}

const CLI_TIMEOUT_MS = 20_000;
let skipReported = false;

/**
 * Runs `redis-cli -h 127.0.0.1 -p PORT ...args` with `stdin` piped in (none if
 * omitted). Resolves null, after printing one SKIP line, when redis-cli is
 * not installed; the caller then skips its test.
 */
export function runRedisCli(port: number, args: string[], stdin?: string): Promise<RedisCliResult | null> {
  const bin = which('redis-cli');
  if (bin === null) {
    if (!skipReported) {
      skipReported = true;
      console.log('SKIP: redis-cli not installed (apt-get install redis-tools)');
    }
    return Promise.resolve(null);
  }
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['-h', '127.0.0.1', '-p', String(port), ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: CLI_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ stdout, stderr, code }));
    child.stdin.on('error', () => {}); // redis-cli may exit before reading all input
    child.stdin.end(stdin ?? '');
  });
}
