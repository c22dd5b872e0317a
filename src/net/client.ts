// One connected client: socket I/O, the request parser, the reply buffer and
// the per-connection state that Redis keeps in `struct client`.

import type { Socket } from 'node:net';
import { readSync } from 'node:fs';
import type Denque from 'denque';
import { RequestParser, ProtocolError } from '../protocol/parser';
import { ReplyWriter, type Protocol } from '../protocol/reply';
import type { Dispatcher } from '../dispatch/dispatcher';
import { config } from '../config';
import type { ClientTracking } from '../tracking/client-state';
import { isKeyword } from '../util/keyword';

/** Pause reading from a client whose unsent replies exceed this, until the socket drains. */
const OUTPUT_BACKPRESSURE_BYTES = 64 * 1024 * 1024;

export const enum ClientFlag {
  None = 0,
  /** Close after the pending replies are written (QUIT, protocol error). */
  CloseAfterReply = 1,
  Closed = 2,
  /** Waiting for a reply from another shard; input processing is paused. */
  Waiting = 4,
  /** Reading paused because the socket's write buffer is too large. */
  Backpressure = 8,
}

/** CLIENT REPLY state (Redis CLIENT_REPLY_OFF / CLIENT_REPLY_SKIP_NEXT / CLIENT_REPLY_SKIP). */
export const enum ReplyMode {
  On = 0,
  Off = 1,
  /** Set by CLIENT REPLY SKIP: the next command's reply is skipped. */
  SkipNext = 2,
  /** This command's reply is skipped. */
  Skip = 3,
}

export class Client {
  readonly id: number;
  readonly socket: Socket;
  readonly parser: RequestParser;
  readonly reply = new ReplyWriter();
  readonly createdAt = Date.now();
  readonly addr: string;
  private localAddr: string | null = null;
  readonly fd: number;
  lastInteraction = Date.now();
  flags = ClientFlag.None;
  dbIndex = 0;
  name: Buffer | null = null;
  libName = '';
  libVersion = '';
  user = 'default';
  authenticated: boolean;
  /** Name of the last command run (CLIENT LIST cmd=). */
  lastCommand = 'NULL';
  /** Commands sent to other shards whose replies have not arrived yet. */
  inflight = 0;
  /** Replies of a pipeline spread over shards, in command order (see dispatch/links.ts). */
  pendingReplies: Denque<{ bytes: Buffer | null; readonly muted: boolean }> | null = null;
  /** The blocking command this client waits on in another shard, to cancel it if the client leaves. */
  remoteBlock: { peer: number; requestId: number } | null = null;
  /** A parsed command that must wait (for in-flight replies or a frozen shard) before it runs. */
  deferred: Buffer[] | null = null;
  /** Commands queued since MULTI; aborted after a command was rejected while queueing. */
  multi: { commands: Buffer[][]; aborted: boolean } | null = null;
  /** The client has WATCHed keys (on some shard). */
  watching = false;
  /** Channels plus patterns this client is subscribed to (RESP2 subscribed mode when > 0). */
  subscriptionCount = 0;
  replyMode = ReplyMode.On;
  /** Client-side caching modes (CLIENT TRACKING), null while tracking is off. */
  tracking: ClientTracking | null = null;
  /** Invalidations for this client made while its own command ran: written after its reply. */
  heldInvalidations: Buffer[] | null = null;
  /**
   * While a command whose reply is suppressed runs: where pushes to this client (Pub/Sub
   * messages, subscription confirmations) wait, as Redis delivers those anyway (CLIENT_PUSHING).
   */
  private heldPushes: ReplyWriter | null = null;
  private mutedScratch: ReplyWriter | null = null;
  /** Total bytes received and sent, for INFO stats. */
  bytesIn = 0;
  bytesOut = 0;

  constructor(id: number, socket: Socket, private readonly dispatcher: Dispatcher) {
    this.id = id;
    this.socket = socket;
    this.parser = new RequestParser({ maxBulkLen: config.numeric('proto-max-bulk-len') });
    this.authenticated = config.string('requirepass') === '';
    this.addr = `${socket.remoteAddress}:${socket.remotePort}`;
    this.fd = handleOf(socket)?.fd ?? -1;
    socket.setNoDelay(true);
    if (!readIntoSharedBuffer(socket, this)) socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.onDrain());
    socket.on('error', () => this.close());
    socket.on('close', () => this.onClosed());
  }

  /** The server's end of the connection (CLIENT LIST laddr), asked of the kernel only when needed. */
  get laddr(): string {
    return (this.localAddr ??= `${this.socket.localAddress}:${this.socket.localPort}`);
  }

  /** True when replies to this client's commands are suppressed now (CLIENT REPLY OFF or SKIP). */
  get repliesMuted(): boolean {
    return this.replyMode === ReplyMode.Off || this.replyMode === ReplyMode.Skip;
  }

  /** Where a Pub/Sub push to this client goes (see heldPushes). */
  get pushReply(): ReplyWriter {
    return this.heldPushes ?? this.reply;
  }

  get proto(): Protocol {
    return this.reply.proto;
  }

  set proto(p: Protocol) {
    this.reply.proto = p;
  }

  /** Bytes read from the socket (a Buffer of their own: the parser keeps views of them). */
  onData(chunk: Buffer): void {
    this.bytesIn += chunk.length;
    this.lastInteraction = Date.now();
    this.parser.feed(chunk);
    this.processInput();
  }

  /** Runs every complete command in the input buffer, then writes the replies in one socket write. */
  processInput(): void {
    while ((this.flags & (ClientFlag.Waiting | ClientFlag.CloseAfterReply | ClientFlag.Closed | ClientFlag.Backpressure)) === 0) {
      if (this.heldInvalidations !== null) this.dispatcher.tracking.releaseHeld(this);
      let argv: Buffer[] | null = this.deferred;
      this.deferred = null;
      try {
        if (argv === null) argv = this.parser.next();
      } catch (e) {
        if (!(e instanceof ProtocolError)) throw e;
        this.reply.error(`ERR ${e.message}`);
        this.flags |= ClientFlag.CloseAfterReply;
        break;
      }
      if (argv === null) {
        if (this.parser.pending > config.numeric('client-query-buffer-limit')) {
          this.dispatcher.log.warn({ client: this.addr }, 'closing client that reached max query buffer length');
          this.flags |= ClientFlag.CloseAfterReply;
        }
        break;
      }
      const tracking = this.tracking;
      const clientCommand = tracking !== null && isKeyword(argv[0], 'CLIENT');
      tracking?.commandStarts();
      if (this.replyMode === ReplyMode.On) this.dispatcher.execute(this, argv);
      else this.executeMuted(argv);
      // A command deferred (to wait for other shards) has not run yet: CLIENT REPLY SKIP still applies to it.
      if (this.deferred === null) {
        this.replyModeAfterCommand();
        // The command may have turned tracking on or off: the state it ran with decides.
        tracking?.commandEnded(clientCommand, this.multi !== null);
      }
    }
    if (this.heldInvalidations !== null && !(this.flags & ClientFlag.Waiting)) this.dispatcher.tracking.releaseHeld(this);
    this.flush();
  }

  /**
   * Runs a command while CLIENT REPLY is OFF or SKIP: what it writes is dropped, unless it
   * turned replies back on (CLIENT REPLY ON). Replies that come later from other shards are
   * dropped by whoever queued them (see repliesMuted).
   */
  private executeMuted(argv: Buffer[]): void {
    const reply = this.reply;
    const mark = reply.len;
    const held = (this.mutedScratch ??= new ReplyWriter(1024));
    held.reset();
    held.proto = reply.proto;
    this.heldPushes = held;
    try {
      this.dispatcher.execute(this, argv);
    } finally {
      this.heldPushes = null;
    }
    if (this.repliesMuted) reply.truncate(mark);
    if (held.len > 0) reply.raw(held.buf, 0, held.len);
  }

  /** Redis resetClient: a skipped reply is done with; CLIENT REPLY SKIP applies to the next command. */
  private replyModeAfterCommand(): void {
    if (this.replyMode === ReplyMode.Skip) this.replyMode = ReplyMode.On;
    else if (this.replyMode === ReplyMode.SkipNext) this.replyMode = ReplyMode.Skip;
  }

  /**
   * While a script runs past busy-reply-threshold this thread's event loop is stuck in it (as
   * Redis's is): read what the client sent straight from its socket and answer at once (BUSY,
   * or SCRIPT KILL and the other allow-busy commands), like Redis's processEventsWhileBlocked.
   */
  pollWhileBusy(): void {
    // A client with replies still to come from other shards is answered later, in order; a blocked
    // one (BLPOP...) keeps its next commands for later, as Redis does.
    if (this.fd < 0 || this.flags & (ClientFlag.Closed | ClientFlag.CloseAfterReply) || this.inflight > 0) return;
    if (this.flags & ClientFlag.Waiting && this.deferred === null) return;
    let n = 0;
    try {
      n = readSync(this.fd, busyReadBuffer, 0, busyReadBuffer.length, null);
    } catch {
      n = 0; // EAGAIN: nothing new was sent
    }
    if (n > 0) {
      this.bytesIn += n;
      this.parser.feed(Buffer.from(busyReadBuffer.subarray(0, n)));
    }
    // A command parked before the script began (its shards were being frozen) is answered now too.
    const parked = this.deferred;
    if (parked === null && n <= 0) return;
    this.deferred = null;
    this.flags &= ~ClientFlag.Waiting;
    if (parked !== null) this.dispatcher.executeWhileBusy(this, parked);
    for (;;) {
      let argv: Buffer[] | null;
      try {
        argv = this.parser.next();
      } catch {
        break; // protocol errors are answered once the script is over
      }
      if (argv === null) break;
      this.dispatcher.executeWhileBusy(this, argv);
    }
    this.flush();
  }

  /** Writes the accumulated replies, if any, in one socket write. */
  flush(): void {
    if (this.flags & ClientFlag.Closed) return;
    if (this.reply.len > 0) {
      this.bytesOut += this.reply.len;
      if (!this.writeDirect()) this.socket.write(this.reply.take());
      this.reply.compact();
      if (this.pendingOutputBytes > OUTPUT_BACKPRESSURE_BYTES) this.flags |= ClientFlag.Backpressure;
    }
    if (this.flags & ClientFlag.CloseAfterReply) {
      this.flags |= ClientFlag.Closed;
      // Close for real once the reply is out, as Redis does: a peer that keeps writing then gets an error.
      this.socket.end(() => this.socket.destroy());
    }
  }

  /** Reply bytes handed to the socket and not yet sent (CLIENT LIST omem, backpressure). */
  get pendingOutputBytes(): number {
    return this.socket.writableLength + (handleOf(this.socket)?.writeQueueSize ?? 0);
  }

  /**
   * Writes the reply buffer straight to the socket's handle, as net.Socket's own write path
   * ends up doing, without the Writable machinery and without copying the bytes: when the
   * kernel takes them all at once (the usual case) the buffer is reused at once; otherwise
   * libuv keeps sending from it and the client continues in a new one. False when this
   * path is unavailable or Node's stream still has bytes queued (they must go first).
   */
  private writeDirect(): boolean {
    const handle = handleOf(this.socket);
    if (directWrite === null || handle === null || this.socket.writableLength > 0) return false;
    const req = new directWrite.WriteWrap() as DirectWriteRequest;
    req.handle = handle;
    req.oncomplete = onDirectWriteComplete;
    req.async = false;
    req.client = this;
    req.buffer = null;
    const err = handle.writeBuffer(req, this.reply.view());
    if (err !== 0) {
      this.close();
      return true;
    }
    if (directWrite.state[directWrite.lastWriteWasAsync] !== 0) {
      req.async = true;
      req.buffer = this.reply.buf;
      this.reply.detach();
    } else {
      this.reply.reset();
    }
    return true;
  }

  /** A direct write that had to wait for the socket has finished. */
  directWriteDone(status: number): void {
    if (status < 0) {
      this.close();
      return;
    }
    this.onDrain();
  }

  /** Resumes a client after a remote reply arrived (or a blocking wait ended). */
  resume(): void {
    this.flags &= ~ClientFlag.Waiting;
    this.processInput();
  }

  private onDrain(): void {
    if (this.flags & ClientFlag.Backpressure && this.pendingOutputBytes <= OUTPUT_BACKPRESSURE_BYTES) {
      this.flags &= ~ClientFlag.Backpressure;
      this.processInput();
    }
  }

  close(): void {
    if (this.flags & ClientFlag.Closed) return;
    this.flags |= ClientFlag.Closed;
    this.socket.destroy();
  }

  private onClosed(): void {
    this.flags |= ClientFlag.Closed;
    this.dispatcher.clientClosed(this);
  }
}

const busyReadBuffer = Buffer.allocUnsafe(64 * 1024);

/** What this file uses of a net.Socket's internal libuv handle (Node's TCPWrap); null once the socket is destroyed. */
interface SocketHandle {
  fd: number;
  /** Bytes libuv still has to send. */
  writeQueueSize: number;
  writeBuffer(req: DirectWriteRequest, data: Buffer): number;
  /** Behind net.Socket's `onread` option; absent from Node versions without it. */
  useUserBuffer?(buf: Buffer): void;
}

function handleOf(socket: Socket): SocketHandle | null {
  return (socket as unknown as { _handle?: SocketHandle | null })._handle ?? null;
}

interface DirectWriteRequest {
  handle: SocketHandle;
  oncomplete: (this: DirectWriteRequest, status: number) => void;
  async: boolean;
  buffer: Buffer | null;
  client: Client;
}

/** Node's write request class and the shared state its handles report through (node:internal/stream_base_commons). */
const directWrite = ((): { WriteWrap: new () => object; state: Int32Array; lastWriteWasAsync: number } | null => {
  try {
    const binding = (process as unknown as { binding(name: string): Record<string, unknown> }).binding('stream_wrap');
    const { WriteWrap, streamBaseState, kLastWriteWasAsync } = binding;
    if (typeof WriteWrap !== 'function' || !(streamBaseState instanceof Int32Array) || typeof kLastWriteWasAsync !== 'number') return null;
    return { WriteWrap: WriteWrap as new () => object, state: streamBaseState, lastWriteWasAsync: kLastWriteWasAsync };
  } catch {
    return null;
  }
})();

/** Whether this Node offers the direct write path (the tests check it does on the Node we ship with). */
export const directWritesAvailable = directWrite !== null;

function onDirectWriteComplete(this: DirectWriteRequest, status: number): void {
  this.buffer = null;
  this.client.directWriteDone(status);
}

/**
 * Reads of every socket of this thread land in one buffer, through the mechanism behind
 * net.Socket's `onread` option, which Node 20 offers only to sockets it connects, not to
 * accepted ones. It spares the per-read work of the stream path (a 64 KB allocation shrunk
 * to size, a new ArrayBuffer, Readable.push and a 'data' event): about a quarter of the
 * server's user CPU per request without pipelining. The bytes are copied out at once into a
 * Buffer of their own (small ones come from Node's shared pool), because the parser and
 * commands keep views of them.
 */
const sharedReadBuffer = Buffer.allocUnsafe(64 * 1024);
let userBufferSymbols: { buffer: symbol; callback: symbol } | null | undefined;

/** Whether accepted sockets of this Node can read into the shared buffer (checked on a throwaway socket). */
export function sharedReadsAvailable(socket: Socket): boolean {
  return userBufferSymbolsOf(socket) !== null && typeof handleOf(socket)?.useUserBuffer === 'function';
}

function userBufferSymbolsOf(socket: Socket): { buffer: symbol; callback: symbol } | null {
  if (userBufferSymbols === undefined) {
    const symbols = Object.getOwnPropertySymbols(socket);
    const buffer = symbols.find((s) => s.description === 'kBuffer');
    const callback = symbols.find((s) => s.description === 'kBufferCb');
    userBufferSymbols = buffer !== undefined && callback !== undefined ? { buffer, callback } : null;
  }
  return userBufferSymbols;
}

function readIntoSharedBuffer(socket: Socket, client: Client): boolean {
  if (!sharedReadsAvailable(socket)) return false;
  const symbols = userBufferSymbolsOf(socket)!;
  const target = socket as unknown as Record<symbol, unknown>;
  target[symbols.buffer] = sharedReadBuffer;
  target[symbols.callback] = (length: number, buf: Buffer): void => {
    const chunk = Buffer.allocUnsafe(length);
    buf.copy(chunk, 0, 0, length);
    client.onData(chunk);
  };
  handleOf(socket)!.useUserBuffer!(sharedReadBuffer);
  return true;
}
