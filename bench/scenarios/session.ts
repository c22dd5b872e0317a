// Session storage: a hash per authenticated user, read whole on every request
// (HGETALL) and kept alive with EXPIRE, as a login session store does.

import { CommandTemplate, Flow, Xorshift } from '../lib/loadgen';
import { KEY_DIGITS, keyName } from '../lib/keyload';
import { RespClient, RespError, encodeCommand } from '../lib/resp';
import { PairFlow } from './pair-flow';
import { Scenario } from './scenario';

const USERS = 10_000;
const SESSION_TTL_SECONDS = 1800;
const LOAD_BATCH = 500;
const FIELD = '#'.repeat(KEY_DIGITS);

/** The fields of a user's session hash (about 230 bytes of field names and values). */
function sessionFields(userId: number): string[] {
  return [
    'user_id', String(userId),
    'username', `user${userId}`,
    'email', `user${userId}@example.com`,
    'roles', 'customer,newsletter',
    'csrf_token', (userId * 2654435761).toString(16).padStart(16, '0').slice(-16) + 'a1b2c3d4e5f60718',
    'created_at', String(1_700_000_000 + userId),
    'locale', 'en-GB',
    'cart_id', `cart-${userId}`,
  ];
}

export const sessionScenario: Scenario = {
  id: 'session',
  title: 'Session storage',
  request: `HGETALL session:<user> (${USERS / 1000}K users, 8-field hashes), then EXPIRE ${SESSION_TTL_SECONDS}`,
  protocols: ['resp'],

  probe: (keyPrefix) => [
    ['HSET', `${keyPrefix}bench:probe`, 'field', 'value'],
    ['HGETALL', `${keyPrefix}bench:probe`],
    ['EXPIRE', `${keyPrefix}bench:probe`, String(SESSION_TTL_SECONDS)],
    ['DEL', `${keyPrefix}bench:probe`],
  ],

  async prepare(endpoint, keyPrefix) {
    const client = await RespClient.connect(endpoint.port, endpoint.host);
    try {
      for (let first = 0; first < USERS; first += LOAD_BATCH) {
        const commands: Buffer[] = [];
        const last = Math.min(first + LOAD_BATCH, USERS);
        for (let user = first; user < last; user++) {
          const key = keyName(user, `${keyPrefix}session:`);
          commands.push(encodeCommand(['HSET', key, ...sessionFields(user)]));
          commands.push(encodeCommand(['EXPIRE', key, String(SESSION_TTL_SECONDS)]));
        }
        const replies = await client.sendEncoded(Buffer.concat(commands), commands.length);
        const bad = replies.find((reply) => typeof reply !== 'number');
        if (bad !== undefined) {
          throw new Error(`loading sessions: ${bad instanceof RespError ? `-${bad.message}` : JSON.stringify(bad)}`);
        }
      }
    } finally {
      client.close();
    }
  },

  flow(_protocol, keyPrefix, seed): Flow {
    const key = `${keyPrefix}session:${FIELD}`;
    return new PairFlow(
      new CommandTemplate(encodeCommand(['HGETALL', key])),
      new CommandTemplate(encodeCommand(['EXPIRE', key, String(SESSION_TTL_SECONDS)])),
      new Xorshift(seed),
      USERS,
    );
  },

  appRequest(keyPrefix) {
    return async (redis, index) => {
      const key = keyName(index % USERS, `${keyPrefix}session:`);
      const session = await redis.hgetall(key);
      if (session.user_id === undefined) throw new Error(`session ${key} is missing or has no user_id`);
      await redis.expire(key, SESSION_TTL_SECONDS);
    };
  },
};
