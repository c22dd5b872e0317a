// Process entry for the server: the main thread creates the listening socket,
// runs shard 0 itself and starts one worker thread per further shard; every
// thread accepts connections on the same socket (Dragonfly style).

import net from 'node:net';
import { Worker } from 'node:worker_threads';
import path from 'node:path';
import { config } from './config';
import { createLogger } from './log';
import { ShardThread, SharedCounters } from './net/thread';
import { ShardLinks, createLinkBuffers } from './dispatch/links';
import { REDIS_VERSION, SERVER_VERSION } from './version';
import { loadLua } from './scripting/lua-bridge';

export interface WorkerInit {
  index: number;
  count: number;
  fd: number;
  counters: SharedArrayBuffer;
  links: ReturnType<typeof createLinkBuffers>;
  config: Array<[string, string]>;
  configFile: string | null;
}

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

export async function startServer(): Promise<RunningServer> {
  const log = createLogger(config.string('loglevel'), { thread: 0 });
  const count = config.numeric('threads');
  // Lua first: a connection accepted before the thread's handlers are attached would hang.
  await loadLua();
  const listener = net.createServer({ noDelay: true });
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen({ port: config.numeric('port'), host: config.string('bind'), backlog: config.numeric('tcp-backlog') }, () => {
      listener.off('error', reject);
      resolve();
    });
  });
  const port = (listener.address() as net.AddressInfo).port;
  const counters = new SharedCounters();
  const linkBuffers = count > 1 ? createLinkBuffers(count) : null;
  const links = linkBuffers ? new ShardLinks(0, count, linkBuffers) : null;
  const main = new ShardThread({ index: 0, count, listen: listener, counters, links, log });

  const workers: Worker[] = [];
  if (count > 1) {
    const fd = (listener as unknown as { _handle: { fd: number } })._handle.fd;
    for (let i = 1; i < count; i++) {
      const init: WorkerInit = { index: i, count, fd, counters: counters.buffer, links: linkBuffers!, config: config.entries(), configFile: config.file };
      // The same young-generation limit bin/nodefly gives the main thread (2 MB semi-spaces).
      const worker = new Worker(path.join(__dirname, 'shard', 'worker.js'), { workerData: init, resourceLimits: { maxYoungGenerationSizeMb: 6 } });
      worker.on('error', (err) => log.error({ err, thread: i }, 'shard thread failed'));
      workers.push(worker);
    }
    await Promise.all(workers.map((w) => new Promise((resolve) => w.once('online', resolve))));
  }

  log.info(
    { version: SERVER_VERSION, redis_version: REDIS_VERSION, port, bind: config.string('bind'), threads: count },
    `nodefly ${SERVER_VERSION} (Redis ${REDIS_VERSION} compatible) ready to accept connections on port ${port}`,
  );

  return {
    port,
    async close() {
      main.stop();
      await Promise.all(workers.map((w) => w.terminate()));
      log.info('server stopped');
      log.flush();
    },
  };
}
