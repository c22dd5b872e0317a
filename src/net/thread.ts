// What every shard thread runs (the main thread is thread 0): it owns one
// shard, accepts its share of connections on the shared listening socket and
// dispatches their commands.

import net from 'node:net';
import type { Logger } from 'pino';
import { Shard } from '../shard/shard';
import { Dispatcher } from '../dispatch/dispatcher';
import { Client } from './client';
import { config } from '../config';
import type { ShardLinks } from '../dispatch/links';

/** Process-wide counters shared by all threads through a SharedArrayBuffer. */
export class SharedCounters {
  readonly cells: Int32Array;
  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(64)) {
    this.cells = new Int32Array(buffer);
  }
  get buffer(): SharedArrayBuffer {
    return this.cells.buffer as SharedArrayBuffer;
  }
  /** Client ids are unique and increasing across threads, as in Redis. */
  nextClientId(): number {
    return Atomics.add(this.cells, 0, 1) + 1;
  }
}

export interface ThreadOptions {
  index: number;
  count: number;
  /** Listening socket: a server already listening (thread 0) or the fd to share (workers). */
  listen: net.Server | number;
  counters: SharedCounters;
  links: ShardLinks | null;
  log: Logger;
}

/** How often expired keys are reclaimed in the background (Redis: hz 10 → 100 ms). */
const ACTIVE_EXPIRE_INTERVAL_MS = 100;

export class ShardThread {
  readonly shard: Shard;
  readonly dispatcher: Dispatcher;
  private readonly server: net.Server;
  private readonly expireTimer: NodeJS.Timeout;

  constructor(private readonly opts: ThreadOptions) {
    this.shard = new Shard(opts.index, config.numeric('databases'));
    this.dispatcher = new Dispatcher(this.shard, opts.count, opts.log, opts.links);
    opts.links?.attach(this.dispatcher);
    if (typeof opts.listen === 'number') {
      this.server = net.createServer({ noDelay: true });
      this.server.listen({ fd: opts.listen });
    } else {
      this.server = opts.listen;
    }
    this.server.on('connection', (socket) => this.accept(socket));
    this.expireTimer = setInterval(() => this.shard.activeExpire(Date.now()), ACTIVE_EXPIRE_INTERVAL_MS);
    this.expireTimer.unref();
  }

  private accept(socket: net.Socket): void {
    if (this.dispatcher.clients.size >= config.numeric('maxclients')) {
      this.dispatcher.stats.rejectedConnections++;
      socket.end('-ERR max number of clients reached\r\n');
      return;
    }
    const client = new Client(this.opts.counters.nextClientId(), socket, this.dispatcher);
    this.dispatcher.addClient(client);
  }

  /** Stops this thread's work. Only thread 0 closes the listening socket: closing it anywhere closes it for all. */
  stop(): void {
    clearInterval(this.expireTimer);
    this.dispatcher.closeAll();
    if (this.opts.index === 0) this.server.close();
  }
}
