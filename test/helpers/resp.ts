// A deliberately dumb RESP client for byte-exact tests: it never decodes
// replies, it only finds where one complete reply ends and hands back exactly
// those bytes, so a test can compare them with what Redis sends.

import net from 'node:net';

const CLOSE_GRACE_MS = 1000;
const CR = 0x0d;
const LF = 0x0a;

/** Renders bytes readably for failure messages: printable ASCII as is, the rest escaped. */
export function escapeBytes(bytes: Buffer, max = 2000): string {
  let out = '';
  const end = Math.min(bytes.length, max);
  for (let i = 0; i < end; i++) {
    const b = bytes[i];
    if (b === CR) out += '\\r';
    else if (b === LF) out += '\\n';
    else if (b === 0x5c) out += '\\\\';
    else if (b === 0x22) out += '\\"';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += '\\x' + b.toString(16).padStart(2, '0');
  }
  if (bytes.length > max) out += `...(+${bytes.length - max} bytes)`;
  return '"' + out + '"';
}

/** Encodes one command as a RESP array of bulk strings. */
export function encodeCommand(args: ReadonlyArray<string | Buffer>): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = typeof arg === 'string' ? Buffer.from(arg) : arg;
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** Values per announced element of each aggregate type; attributes `|` are maps. */
const AGGREGATE_ARITY: Record<string, number> = { '*': 1, '~': 1, '>': 1, '%': 2, '|': 2 };
const LINE_TYPES = new Set(['+', '-', ':', '_', ',', '#', '(']);
const BULK_TYPES = new Set(['$', '!', '=']);

/**
 * Finds where the first complete reply in a growing buffer ends. It resumes
 * where the previous scan stopped (at an element boundary), so a large reply
 * arriving in many chunks is scanned once. Throws on bytes that are not valid
 * RESP2/RESP3 framing (streamed `?` types are not supported: Redis never sends them).
 */
export class ReplyScanner {
  private pos = 0;
  /** Per open aggregate, how many values are still due; the bottom one is the reply itself. */
  private slots: number[] = [1];

  /** Offset just past the reply, or -1 if more bytes are needed. `buf` must extend the bytes given before. */
  scan(buf: Buffer): number {
    const slots = this.slots;
    while (slots.length > 0) {
      const top = slots.length - 1;
      if (slots[top] === 0) {
        slots.pop();
        continue;
      }
      const lineEnd = buf.indexOf('\r\n', this.pos);
      if (lineEnd < 0) return -1;
      const type = String.fromCharCode(buf[this.pos]);
      const bodyStart = lineEnd + 2;
      if (LINE_TYPES.has(type)) {
        slots[top]--;
        this.pos = bodyStart;
        continue;
      }
      const count = parseLength(type, buf.toString('latin1', this.pos + 1, lineEnd), buf, lineEnd);
      if (count < 0) {
        slots[top]--; // RESP2 null bulk / null array
        this.pos = bodyStart;
      } else if (BULK_TYPES.has(type)) {
        if (buf.length < bodyStart + count + 2) return -1;
        if (buf[bodyStart + count] !== CR || buf[bodyStart + count + 1] !== LF) {
          throw new Error(`RESP: bulk of ${count} bytes not followed by CRLF at offset ${bodyStart + count}: ${escapeBytes(buf)}`);
        }
        slots[top]--;
        this.pos = bodyStart + count + 2;
      } else {
        // An attribute map precedes the value it annotates: that value still fills this slot.
        if (type !== '|') slots[top]--;
        slots.push(count * AGGREGATE_ARITY[type]);
        this.pos = bodyStart;
      }
    }
    const end = this.pos;
    this.pos = 0;
    this.slots = [1];
    return end;
  }
}

/** Offset just past the first complete reply in `buf`, or -1 if more bytes are needed. */
export function replyEnd(buf: Buffer): number {
  return new ReplyScanner().scan(buf);
}

function parseLength(type: string, header: string, buf: Buffer, at: number): number {
  if (!(type in AGGREGATE_ARITY) && !BULK_TYPES.has(type)) {
    throw new Error(`RESP: unknown type byte ${escapeBytes(Buffer.from(type, 'latin1'))} before offset ${at}: ${escapeBytes(buf)}`);
  }
  if (!/^(-1|0|[1-9][0-9]*)$/.test(header)) {
    throw new Error(`RESP: bad length ${JSON.stringify(header)} for type '${type}' before offset ${at}: ${escapeBytes(buf)}`);
  }
  const count = Number(header);
  if (count === -1 && type !== '$' && type !== '*') {
    throw new Error(`RESP: length -1 is only valid for '$' and '*', got '${type}': ${escapeBytes(buf)}`);
  }
  return count;
}

interface PendingRead {
  resolve(reply: Buffer): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export class RawClient {
  /** How long readReply waits for a complete reply before failing. */
  replyTimeoutMs = 10_000;
  private buffered: Buffer = Buffer.alloc(0);
  private readonly scanner = new ReplyScanner();
  private readonly waiting: PendingRead[] = [];
  private readonly closedPromise: Promise<void>;
  private isClosed = false;
  private failure: Error | null = null;
  private socketError: Error | null = null;

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
      this.deliver();
    });
    this.closedPromise = new Promise((resolve) => {
      socket.on('close', () => {
        this.isClosed = true;
        this.deliver();
        resolve();
      });
    });
    // A reset after the server's last reply must not lose the replies already buffered.
    socket.on('error', (err) => {
      this.socketError = err;
    });
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawClient(socket));
      });
    });
  }

  /** Writes bytes as they are (inline commands, pipelines, malformed input). */
  send(bytes: Buffer | string): void {
    this.socket.write(bytes);
  }

  /** Sends one command as a RESP array and resolves with the raw bytes of the next reply. */
  command(...args: (string | Buffer)[]): Promise<Buffer> {
    this.send(encodeCommand(args));
    return this.readReply();
  }

  /**
   * Resolves with the exact bytes of the next complete reply (a RESP3 push
   * counts as a reply; an attribute is returned together with its value).
   */
  readReply(): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = this.waiting.findIndex((p) => p.timer === timer);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(new Error(`no complete reply within ${this.replyTimeoutMs}ms; unparsed bytes: ${escapeBytes(this.buffered)}`));
      }, this.replyTimeoutMs);
      timer.unref();
      this.waiting.push({ resolve, reject, timer });
      this.deliver();
    });
  }

  /** Bytes received but not yet handed out as a reply. */
  unread(): Buffer {
    return this.buffered;
  }

  /** Half-closes the connection and waits until the server closes its side too (at most 1s, then drops it). */
  close(): Promise<void> {
    if (!this.isClosed) {
      this.socket.end();
      setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
    }
    return this.closedPromise;
  }

  /** Resolves when the connection is closed (by the server, or by close()). */
  closed(): Promise<void> {
    return this.closedPromise;
  }

  private deliver(): void {
    while (this.waiting.length > 0) {
      if (this.failure === null) {
        try {
          const end = this.scanner.scan(this.buffered);
          if (end >= 0) {
            const reply = this.buffered.subarray(0, end);
            this.buffered = this.buffered.subarray(end);
            const pending = this.waiting.shift()!;
            clearTimeout(pending.timer);
            pending.resolve(reply);
            continue;
          }
        } catch (err) {
          this.failure = err as Error;
        }
      }
      if (this.failure) this.failAll(this.failure);
      else if (this.isClosed) {
        const cause = this.socketError ? ` (${this.socketError.message})` : '';
        this.failAll(new Error(`connection closed${cause}; unparsed bytes: ${escapeBytes(this.buffered)}`));
      }
      return;
    }
  }

  private failAll(err: Error): void {
    for (const pending of this.waiting.splice(0)) {
      clearTimeout(pending.timer);
      pending.reject(err);
    }
  }
}
