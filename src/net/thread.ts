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

function isLoopback(address: string | undefined): boolean {
  return address === undefined || address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.');
}

/** Redis's protected-mode refusal, sent to non-loopback clients when no password is set. */
const PROTECTED_MODE_DENIED =
  '-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. ' +
  'In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you ' +
  'may adopt one of the following solutions: 1) Just disable protected mode sending the command ' +
  "'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, " +
  'however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. ' +
  '2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode ' +
  "option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the " +
  "'--protected-mode no' option. 4) Setup a an authentication password for the default user. NOTE: You only need to do one of the " +
  'above things in order for the server to start accepting connections from the outside.\r\n';

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
    if (config.bool('protected-mode') && config.string('requirepass') === '' && !isLoopback(socket.remoteAddress)) {
      socket.end(PROTECTED_MODE_DENIED);
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
