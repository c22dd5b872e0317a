// A closed-loop load generator that speaks RESP and the memcached text protocol,
// so every contender of a scenario is loaded by the same code. Each connection has
// exactly one command in flight (no pipelining); a "request" is a short flow of
// commands (e.g. GET, then SETEX on a miss) chosen by a per-connection Flow object.
// Command bytes are pre-encoded templates patched in place, reads land in one
// shared buffer (`onread`), and latencies go into a preallocated Float64Array, so
// the steady state allocates next to nothing.
//
// Before the clock starts, every connection sends one PING (memcached: `version`)
// and waits for its answer. A TCP connect completes in the kernel before the server
// has accepted the socket, and Node 20 (libuv >= 1.45) accepts one connection per
// event-loop turn, so without this handshake the first command of the last
// connections would be timed while it waits to be accepted. That cost is reported
// on its own, as `connectMs`.

import { Socket, connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { LatencySummary, summarizeLatencies } from './stats';

export type Protocol = 'resp' | 'memcached';

export const enum ReplyKind {
  Value = 0,
  /** RESP null bulk/array, or a memcached get that found nothing (a cache miss). */
  Missing = 1,
  Error = 2,
}

/** The commands of one connection: which to send first, and what follows a reply. */
export interface Flow {
  /** Starts a new request and returns the bytes of its first command. */
  first(): Buffer;
  /** The next command of the current request given the last reply, or null when the request is done. */
  next(reply: ReplyKind): Buffer | null;
}

export interface LoadOptions {
  host: string;
  port: number;
  protocol: Protocol;
  connections: number;
  /** Commands to complete; the run ends when this many replies have arrived. */
  operations: number;
  /** Builds the flow of the i-th connection. */
  flow(connectionIndex: number): Flow;
  connectTimeoutMs?: number;
  /** A run that takes longer than this is a stalled server, not a result. */
  runTimeoutMs?: number;
  /** Called just before the first timed command is sent, and just after the last reply (e.g. to read server CPU). */
  onTimedStart?: () => void;
  onTimedEnd?: () => void;
}

export interface LoadResult extends LatencySummary {
  operations: number;
  seconds: number;
  opsPerSecond: number;
  /** Replies that were a RESP null or a memcached miss. */
  missing: number;
  errors: number;
  /** The first error reply seen, for the report. */
  firstError?: string;
  /** CPU the generator itself used, as a share of one core over the run: near 1 means it was the limit. */
  generatorCoreShare: number;
  /** From the first connect until every connection had answered its handshake (all accepted and served). */
  connectMs: number;
}

/**
 * A pre-encoded command with fixed-width decimal fields marked by runs of '#'.
 * `setField` rewrites a field's digits in place, so one buffer serves every key.
 */
export class CommandTemplate {
  readonly bytes: Buffer;
  private readonly fieldStarts: number[] = [];
  private readonly fieldWidths: number[] = [];

  constructor(bytes: Buffer) {
    this.bytes = bytes;
    for (let at = bytes.indexOf(0x23); at >= 0; ) {
      let end = at;
      while (bytes[end] === 0x23) end++;
      this.fieldStarts.push(at);
      this.fieldWidths.push(end - at);
      at = bytes.indexOf(0x23, end);
    }
  }

  /** Writes `value` zero-padded into the field-th '#' run. */
  setField(field: number, value: number): void {
    const start = this.fieldStarts[field];
    for (let at = start + this.fieldWidths[field] - 1; at >= start; at--) {
      this.bytes[at] = 0x30 + (value % 10);
      value = Math.floor(value / 10);
    }
  }
}

/** Small deterministic PRNG (xorshift32), so runs for different contenders draw the same keys. */
export class Xorshift {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  /** An integer in [0, bound). */
  below(bound: number): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state % bound;
  }
}

const CR = 0x0d;
const LF = 0x0a;

/** Result of scanning for one reply: its end offset (or -1 when incomplete) and its kind. */
let scannedKind: ReplyKind = ReplyKind.Value;

function lineEnd(buf: Buffer, from: number, end: number): number {
  for (let at = from; at + 1 < end; at++) if (buf[at] === CR && buf[at + 1] === LF) return at;
  return -1;
}

function parseDecimal(buf: Buffer, from: number, to: number): number {
  let negative = false;
  let at = from;
  if (buf[at] === 0x2d) {
    negative = true;
    at++;
  }
  let value = 0;
  for (; at < to; at++) value = value * 10 + (buf[at] - 0x30);
  return negative ? -value : value;
}

/** End of the RESP reply starting at `from`, or -1 if it is not all there yet. Sets `scannedKind`. */
function scanResp(buf: Buffer, from: number, end: number): number {
  const eol = lineEnd(buf, from, end);
  if (eol < 0) return -1;
  const type = buf[from];
  const afterLine = eol + 2;
  switch (type) {
    case 0x2d: // '-'
      scannedKind = ReplyKind.Error;
      return afterLine;
    case 0x24: {
      // '$'
      const length = parseDecimal(buf, from + 1, eol);
      if (length < 0) {
        scannedKind = ReplyKind.Missing;
        return afterLine;
      }
      scannedKind = ReplyKind.Value;
      return afterLine + length + 2 <= end ? afterLine + length + 2 : -1;
    }
    case 0x2a: {
      // '*'
      const count = parseDecimal(buf, from + 1, eol);
      if (count < 0) {
        scannedKind = ReplyKind.Missing;
        return afterLine;
      }
      let at = afterLine;
      for (let i = 0; i < count; i++) {
        at = scanResp(buf, at, end);
        if (at < 0) return -1;
      }
      // An empty array is HGETALL's answer for a key that does not exist.
      scannedKind = count === 0 ? ReplyKind.Missing : ReplyKind.Value;
      return at;
    }
    default: // '+', ':' and RESP3 scalars are one line
      scannedKind = ReplyKind.Value;
      return afterLine;
  }
}

const VALUE_PREFIX = Buffer.from('VALUE ', 'latin1');
const END_LINE_LENGTH = 5; // "END\r\n"

/** End of the memcached reply starting at `from`, or -1. Handles single-key get, storage and error replies. */
function scanMemcached(buf: Buffer, from: number, end: number): number {
  const eol = lineEnd(buf, from, end);
  if (eol < 0) return -1;
  if (buf[from] === 0x45 && buf[from + 1] === 0x4e && buf[from + 2] === 0x44 && eol === from + 3) {
    scannedKind = ReplyKind.Missing; // "END": get found nothing
    return eol + 2;
  }
  if (buf.compare(VALUE_PREFIX, 0, VALUE_PREFIX.length, from, from + VALUE_PREFIX.length) === 0) {
    // VALUE <key> <flags> <bytes> [<cas>]: the byte count is the 4th word.
    let wordStart = from;
    for (let words = 0; words < 3; words++) wordStart = buf.indexOf(0x20, wordStart) + 1;
    let wordEnd = wordStart;
    while (wordEnd < eol && buf[wordEnd] !== 0x20) wordEnd++;
    const dataEnd = eol + 2 + parseDecimal(buf, wordStart, wordEnd) + 2;
    if (dataEnd + END_LINE_LENGTH > end) return -1;
    scannedKind = ReplyKind.Value;
    return dataEnd + END_LINE_LENGTH;
  }
  // ERROR, CLIENT_ERROR ..., SERVER_ERROR ...; everything else (STORED, DELETED, a number) is a value.
  const isError =
    (buf[from] === 0x45 && buf[from + 1] === 0x52 && buf[from + 2] === 0x52) || // ERR
    (buf[from] === 0x43 && buf[from + 1] === 0x4c && buf[from + 6] === 0x5f) || // CLIENT_
    (buf[from] === 0x53 && buf[from + 1] === 0x45 && buf[from + 6] === 0x5f); // SERVER_
  scannedKind = isError ? ReplyKind.Error : ReplyKind.Value;
  return eol + 2;
}

const READ_BUFFER_BYTES = 256 * 1024;
/** One buffer receives every read: `onread` callbacks run synchronously, one at a time. */
const sharedReadBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);

class Connection {
  socket!: Socket;
  sentAt = 0;
  /** Bytes of a reply that arrived in pieces; empty in the common case. */
  private partial = Buffer.alloc(0);
  private partialLength = 0;

  constructor(
    readonly run: LoadRun,
    readonly flow: Flow,
  ) {}

  send(bytes: Buffer): void {
    this.run.issued++;
    this.sentAt = performance.now();
    this.socket.write(bytes);
  }

  /** Returns true to keep reading (`onread` pauses the socket on false). */
  onRead(length: number, chunk: Buffer): boolean {
    let buf = chunk;
    let end = length;
    if (this.partialLength > 0) {
      this.append(chunk, length);
      buf = this.partial;
      end = this.partialLength;
    }
    const scan = this.run.scan;
    const replyEnd = scan(buf, 0, end);
    if (replyEnd < 0) {
      if (this.partialLength === 0) this.append(chunk, length);
      return true;
    }
    this.partialLength = 0;
    if (replyEnd !== end) {
      this.run.fail(new Error(`${end - replyEnd} bytes arrived after a complete reply: the server pipelined or the scan is wrong`));
      return false;
    }
    this.run.complete(this, scannedKind, buf, replyEnd);
    return true;
  }

  private append(chunk: Buffer, length: number): void {
    if (this.partial.length < this.partialLength + length) {
      const grown = Buffer.allocUnsafe(Math.max(2 * this.partial.length, this.partialLength + length, 4096));
      this.partial.copy(grown, 0, 0, this.partialLength);
      this.partial = grown;
    }
    chunk.copy(this.partial, this.partialLength, 0, length);
    this.partialLength += length;
  }
}

const HANDSHAKES: Record<Protocol, Buffer> = {
  resp: Buffer.from('*1\r\n$4\r\nPING\r\n', 'latin1'),
  memcached: Buffer.from('version\r\n', 'latin1'),
};

class LoadRun {
  /** Connections that have not answered their handshake yet; the timed phase starts at 0. */
  handshakesPending: number;
  private handshaken!: () => void;
  readonly handshakesDone: Promise<void>;
  issued = 0;
  completed = 0;
  missing = 0;
  errors = 0;
  firstError: string | undefined;
  readonly latenciesMs: Float64Array;
  readonly scan: (buf: Buffer, from: number, end: number) => number;
  private finish!: (error?: Error) => void;
  readonly done: Promise<void>;

  constructor(readonly options: LoadOptions) {
    this.latenciesMs = new Float64Array(options.operations);
    this.handshakesPending = options.connections;
    this.handshakesDone = new Promise<void>((resolve) => {
      this.handshaken = resolve;
    });
    this.scan = options.protocol === 'resp' ? scanResp : scanMemcached;
    this.done = new Promise<void>((resolve, reject) => {
      this.finish = (error?: Error) => (error ? reject(error) : resolve());
    });
  }

  complete(connection: Connection, kind: ReplyKind, buf: Buffer, replyEnd: number): void {
    if (this.handshakesPending > 0) {
      if (kind === ReplyKind.Error) this.fail(new Error(`handshake refused: ${buf.toString('latin1', 0, Math.min(replyEnd, 200)).trim()}`));
      else if (--this.handshakesPending === 0) this.handshaken();
      return;
    }
    if (this.completed >= this.options.operations) return;
    this.latenciesMs[this.completed++] = performance.now() - connection.sentAt;
    if (kind === ReplyKind.Missing) this.missing++;
    else if (kind === ReplyKind.Error) {
      this.errors++;
      this.firstError ??= buf.toString('latin1', 0, Math.min(replyEnd, 200)).trim();
    }
    if (this.completed === this.options.operations) {
      this.finish();
      return;
    }
    if (this.issued >= this.options.operations) return;
    connection.send(connection.flow.next(kind) ?? connection.flow.first());
  }

  fail(error: Error): void {
    this.finish(error);
  }
}

function openConnection(run: LoadRun, connection: Connection, timeoutMs: number): Promise<void> {
  const { host, port } = run.options;
  return new Promise((resolve, reject) => {
    const socket = connect({
      host,
      port,
      noDelay: true,
      onread: { buffer: sharedReadBuffer, callback: (length: number, buf: Uint8Array) => connection.onRead(length, buf as Buffer) },
    });
    const timer = setTimeout(() => socket.destroy(new Error(`connect to ${host}:${port} timed out`)), timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.write(HANDSHAKES[run.options.protocol]);
      resolve();
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
      run.fail(error);
    });
    socket.on('close', () => {
      if (run.completed < run.options.operations) run.fail(new Error('server closed a connection mid-run'));
    });
    connection.socket = socket;
  });
}

/** Opens all connections, starts every flow at once, and resolves when `operations` replies have arrived. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const run = new LoadRun(options);
  run.done.catch(() => undefined); // observed below; a failure during connect must not go unhandled
  const connections: Connection[] = [];
  for (let i = 0; i < options.connections; i++) connections.push(new Connection(run, options.flow(i)));
  try {
    const connectStartedAt = performance.now();
    await Promise.all(connections.map((connection) => openConnection(run, connection, options.connectTimeoutMs ?? 10_000)));
    await Promise.race([run.handshakesDone, run.done]);
    const connectMs = performance.now() - connectStartedAt;
    options.onTimedStart?.();
    const cpuBefore = process.cpuUsage();
    const startedAt = performance.now();
    for (const connection of connections) {
      if (run.issued >= options.operations) break;
      connection.send(connection.flow.first());
    }
    let timer: NodeJS.Timeout | undefined;
    const timeoutMs = options.runTimeoutMs ?? 120_000;
    await Promise.race([
      run.done,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`run stalled: ${run.completed}/${options.operations} replies after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
    const elapsedMs = performance.now() - startedAt;
    const cpu = process.cpuUsage(cpuBefore);
    options.onTimedEnd?.();
    return {
      ...summarizeLatencies(run.latenciesMs),
      operations: run.completed,
      seconds: elapsedMs / 1000,
      opsPerSecond: run.completed / (elapsedMs / 1000),
      missing: run.missing,
      errors: run.errors,
      firstError: run.firstError,
      generatorCoreShare: (cpu.user + cpu.system) / 1000 / elapsedMs,
      connectMs,
    };
  } finally {
    for (const connection of connections) connection.socket?.destroy();
  }
}
