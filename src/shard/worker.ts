// Entry of a shard worker thread (threads 1..N-1).
import { workerData } from 'node:worker_threads';
import { config } from '../config';
import { createLogger } from '../log';
import { ShardThread, SharedCounters } from '../net/thread';
import { ShardLinks } from '../dispatch/links';
import type { WorkerInit } from '../server';
import { loadLua } from '../scripting/lua-bridge';

const init = workerData as WorkerInit;
for (const [name, value] of init.config) config.set(name, value, true);
config.file = init.configFile;
const log = createLogger(config.string('loglevel'), { thread: init.index });
// Scripts run on the thread of the client that sent them: every thread needs its Lua VM ready.
loadLua().then(() => new ShardThread({
  index: init.index,
  count: init.count,
  listen: init.fd,
  counters: new SharedCounters(init.counters),
  links: new ShardLinks(init.index, init.count, init.links),
  log,
}));
