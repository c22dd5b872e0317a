// A minimal RESP2 client for benchmark setup and probes: readiness PING, command
// probes, and pipelined bulk loading. Not tuned for speed; the load it drives is
// measured on the server side only.

import { Socket, connect } from 'node:net';

export class RespError {
  constructor(readonly message: string) {}
}

export type RespReply = string | number | Buffer | null | RespError | RespReply[];

export type RespArg = string | Buffer;

/** Encodes one command as a RESP array of bulk strings. */
export function encodeCommand(args: readonly RespArg[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`, 'latin1')];
  for (const arg of args) {
    const bytes = typeof arg === 'string' ? Buffer.from(arg, 'utf8') : arg;
    parts.push(Buffer.from(`$${bytes.length}\r\n`, 'latin1'), bytes, CRLF);
  }
  return Buffer.concat(parts);
}

const CRLF = Buffer.from('\r\n', 'latin1');

interface ParsedReply {
  value: RespReply;
  next: number;
}

/** Parses one reply at `offset`, or returns undefined when the buffer ends first. */
export function parseReply(buf: Buffer, offset: number): ParsedReply | undefined {
  if (offset >= buf.length) return undefined;
  const lineEnd = buf.indexOf(CRLF, offset);
  if (lineEnd < 0) return undefined;
  const type = buf[offset];
  const line = buf.toString('latin1', offset + 1, lineEnd);
  const afterLine = lineEnd + 2;
  switch (type) {
    case 0x2b: // '+'
      return { value: line, next: afterLine };
    case 0x2d: // '-'
      return { value: new RespError(line), next: afterLine };
    case 0x3a: // ':'
      return { value: Number(line), next: afterLine };
    case 0x24: {
      // '$'
      const length = Number(line);
      if (length < 0) return { value: null, next: afterLine };
      if (afterLine + length + 2 > buf.length) return undefined;
      return { value: buf.subarray(afterLine, afterLine + length), next: afterLine + length + 2 };
    }
    case 0x2a: {
      // '*'
      const count = Number(line);
      if (count < 0) return { value: null, next: afterLine };
      const items: RespReply[] = [];
      let next = afterLine;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, next);
        if (!item) return undefined;
        items.push(item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new Error(`unexpected RESP type byte 0x${type.toString(16)} at offset ${offset}`);
  }
}

interface PendingBatch {
  remaining: number;
  replies: RespReply[];
  resolve: (replies: RespReply[]) => void;
  reject: (error: Error) => void;
}

export class RespClient {
  private unread: Buffer = Buffer.alloc(0);
  private readonly pending: PendingBatch[] = [];
  private closedError: Error | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.failAll(error));
    socket.on('close', () => this.failAll(new Error('connection closed')));
  }

  static connect(port: number, host = '127.0.0.1', timeoutMs = 5000): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host });
      socket.setNoDelay(true);
      const timer = setTimeout(() => socket.destroy(new Error(`connect to ${host}:${port} timed out`)), timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeListener('error', reject);
        resolve(new RespClient(socket));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  /** Sends one command and resolves with its reply (errors resolve as RespError). */
  async command(args: readonly RespArg[]): Promise<RespReply> {
    const [reply] = await this.sendEncoded(encodeCommand(args), 1);
    return reply;
  }

  /** Writes already-encoded commands in one go and resolves with their `count` replies. */
  sendEncoded(encoded: Buffer, count: number): Promise<RespReply[]> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => {
      this.pending.push({ remaining: count, replies: [], resolve, reject });
      this.socket.write(encoded);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.unread = this.unread.length === 0 ? chunk : Buffer.concat([this.unread, chunk]);
    let offset = 0;
    for (;;) {
      const batch = this.pending[0];
      if (!batch) break;
      const parsed = parseReply(this.unread, offset);
      if (!parsed) break;
      offset = parsed.next;
      // Bulk replies stay views into the read buffer: socket chunks are never recycled.
      batch.replies.push(parsed.value);
      if (--batch.remaining === 0) {
        this.pending.shift();
        batch.resolve(batch.replies);
      }
    }
    this.unread = this.unread.subarray(offset);
  }

  private failAll(error: Error): void {
    this.closedError ??= error;
    for (const batch of this.pending.splice(0)) batch.reject(error);
  }
}

/** True when the server at `port` answers PING with +PONG within `timeoutMs`. */
export async function answersPing(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  let client: RespClient | undefined;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<RespReply>((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs);
  });
  try {
    client = await RespClient.connect(port, host, timeoutMs);
    const reply = client.command(['PING']);
    reply.catch(() => undefined); // rejected by close() when the timeout wins
    return (await Promise.race([reply, timeout])) === 'PONG';
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
    client?.close();
  }
}
