// A minimal memcached text-protocol client for benchmark setup and probes:
// readiness (`version`), stats, and pipelined bulk loading. Like resp.ts, it is
// not the load generator (that is loadgen.ts).

import { Socket, connect } from 'node:net';
import { KEY_DIGITS, KeyLoadOptions, keyName, poolValueWriter } from './keyload';

/** How a reply ends: after its first line (set, version, errors) or at a line "END" (get, stats). */
export type ReplyEnd = 'line' | 'end';

interface PendingReply {
  end: ReplyEnd;
  resolve: (text: string) => void;
  reject: (error: Error) => void;
}

const CRLF = Buffer.from('\r\n', 'latin1');
const END_LINE = Buffer.from('END\r\n', 'latin1');

/** True for a first line that is an error whatever was asked. */
function isErrorLine(line: string): boolean {
  return line === 'ERROR' || line.startsWith('CLIENT_ERROR') || line.startsWith('SERVER_ERROR');
}

export class MemcachedClient {
  private unread: Buffer = Buffer.alloc(0);
  private readonly pending: PendingReply[] = [];
  private closedError: Error | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.failAll(error));
    socket.on('close', () => this.failAll(new Error('connection closed')));
  }

  static connect(port: number, host = '127.0.0.1', timeoutMs = 5000): Promise<MemcachedClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host });
      socket.setNoDelay(true);
      const timer = setTimeout(() => socket.destroy(new Error(`connect to ${host}:${port} timed out`)), timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeListener('error', reject);
        resolve(new MemcachedClient(socket));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  /** Sends one request (its own CRLFs included) and resolves with the reply text, CRLFs kept. */
  async request(text: string | Buffer, end: ReplyEnd): Promise<string> {
    const [reply] = await this.sendEncoded(typeof text === 'string' ? Buffer.from(text, 'latin1') : text, [end]);
    return reply;
  }

  /** Writes already-encoded requests in one go; resolves with one reply per entry of `ends`. */
  sendEncoded(encoded: Buffer, ends: readonly ReplyEnd[]): Promise<string[]> {
    if (this.closedError) return Promise.reject(this.closedError);
    const replies = ends.map(
      (end) => new Promise<string>((resolve, reject) => this.pending.push({ end, resolve, reject })),
    );
    this.socket.write(encoded);
    return Promise.all(replies);
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.unread = this.unread.length === 0 ? chunk : Buffer.concat([this.unread, chunk]);
    let offset = 0;
    for (;;) {
      const reply = this.pending[0];
      if (!reply) break;
      const lineEnd = this.unread.indexOf(CRLF, offset);
      if (lineEnd < 0) break;
      const firstLine = this.unread.toString('latin1', offset, lineEnd);
      let replyEnd = lineEnd + 2;
      if (reply.end === 'end' && !isErrorLine(firstLine) && firstLine !== 'END') {
        // Values here are setup data without "\r\nEND\r\n" inside, so the first line "END" closes the reply.
        let endAt = this.unread.indexOf(END_LINE, lineEnd);
        while (endAt >= 0 && this.unread[endAt - 1] !== 0x0a) endAt = this.unread.indexOf(END_LINE, endAt + 1);
        if (endAt < 0) break;
        replyEnd = endAt + END_LINE.length;
      }
      this.pending.shift();
      reply.resolve(this.unread.toString('latin1', offset, replyEnd));
      offset = replyEnd;
    }
    this.unread = this.unread.subarray(offset);
  }

  private failAll(error: Error): void {
    this.closedError ??= error;
    for (const reply of this.pending.splice(0)) reply.reject(error);
  }
}

/** True when a memcached server at `port` answers `version` within `timeoutMs`: its PING. */
export async function answersVersion(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  let client: MemcachedClient | undefined;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(''), timeoutMs);
  });
  try {
    client = await MemcachedClient.connect(port, host, timeoutMs);
    const reply = client.request('version\r\n', 'line');
    reply.catch(() => undefined); // rejected by close() when the timeout wins
    return (await Promise.race([reply, timeout])).startsWith('VERSION ');
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
    client?.close();
  }
}

/** `curr_items` from `stats`, the number of live items. */
export async function currentItems(client: MemcachedClient): Promise<number> {
  const stats = await client.request('stats\r\n', 'end');
  const match = /^STAT curr_items (\d+)\r$/m.exec(stats);
  if (!match) throw new Error(`stats has no curr_items: ${stats.slice(0, 200)}`);
  return Number(match[1]);
}

/** The memcached twin of loadDistinctKeys: `set` keys 1..count with the same names and values; rejects unless all are STORED. */
export async function loadDistinctItems(client: MemcachedClient, options: KeyLoadOptions): Promise<void> {
  const batchSize = options.batchSize ?? 1000;
  const prefix = options.keyPrefix ?? 'key:';
  const writeValue = options.writeValue ?? poolValueWriter(options.valueSize);
  const tail = Buffer.from(` 0 ${options.ttlSeconds ?? 0} ${options.valueSize}\r\n`, 'latin1');
  const commandLength = 4 + Buffer.byteLength(prefix) + KEY_DIGITS + tail.length + options.valueSize + 2;
  const batch = Buffer.allocUnsafe(commandLength * batchSize);
  for (let first = 1; first <= options.count; first += batchSize) {
    const inBatch = Math.min(batchSize, options.count - first + 1);
    let at = 0;
    for (let index = first; index < first + inBatch; index++) {
      at += batch.write(`set ${keyName(index, prefix)}`, at, 'latin1');
      at += tail.copy(batch, at);
      writeValue(index, batch, at);
      at += options.valueSize;
      batch[at++] = 0x0d;
      batch[at++] = 0x0a;
    }
    const replies = await client.sendEncoded(batch.subarray(0, at), new Array<ReplyEnd>(inBatch).fill('line'));
    const bad = replies.find((reply) => reply !== 'STORED\r\n');
    if (bad !== undefined) throw new Error(`set of keys ${first}..${first + inBatch - 1} got ${bad.trim()}`);
  }
}
