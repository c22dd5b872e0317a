// redis-py (Debian's python3-redis) against our server with default options,
// on 1 and 2 shard threads: connect (its handshake), strings, a pipeline,
// a transaction, a hash, and pub/sub with PING in subscribed mode.

import { test, before, after } from 'node:test';
import { execFile } from 'node:child_process';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../helpers/server';

/** Debian's interpreter: python3-redis installs there, whatever python3 is first on PATH. */
const PYTHON = '/usr/bin/python3';

const SCRIPT = `
import sys, redis
r = redis.Redis(port=int(sys.argv[1]))
assert r.ping() is True
r.set('py:k', b'v\\x00\\xff')
assert r.get('py:k') == b'v\\x00\\xff'
assert r.incr('py:n') == 1
p = r.pipeline(transaction=False)
p.set('py:a', 1).mget('py:a', 'py:k').delete('py:a')
assert p.execute() == [True, [b'1', b'v\\x00\\xff'], 1]
with r.pipeline() as tx:
    tx.incr('py:n').incr('py:n')
    assert tx.execute() == [2, 3]
r.hset('py:h', mapping={'f1': 'x', 'f2': 'y'})
assert r.hgetall('py:h') == {b'f1': b'x', b'f2': b'y'}
ps = r.pubsub()
ps.subscribe('py:ch')
assert ps.get_message(timeout=1)['type'] == 'subscribe'
ps.ping('hi')
assert ps.get_message(timeout=1)['data'] == b'hi'
r.publish('py:ch', b'hello')
assert ps.get_message(timeout=1)['data'] == b'hello'
r.client_setname('py-client')
assert r.client_getname() == 'py-client'
print('ok')
`;

function pythonHasRedis(): Promise<boolean> {
  return new Promise((resolve) => execFile(PYTHON, ['-c', 'import redis'], (err) => resolve(err === null)));
}

let servers: RunningServer[] = [];
let available = false;

before(async () => {
  available = await pythonHasRedis();
  if (!available) {
    console.log('SKIP: redis-py not installed (apt-get install python3-redis)');
    return;
  }
  servers = await Promise.all([startServer({ threads: 1 }), startServer({ threads: 2 })]);
});

after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

for (const threads of [1, 2]) {
  test(`redis-py works with default options (threads ${threads})`, async (t) => {
    if (!available) return t.skip('redis-py not installed (apt-get install python3-redis)');
    const port = servers[threads - 1].port;
    const out = await new Promise<string>((resolve, reject) =>
      execFile(PYTHON, ['-c', SCRIPT, String(port)], { timeout: 20_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout))),
    );
    assert.equal(out.trim(), 'ok');
  });
}
