// Rate limiting of public endpoints, fixed window: INCR a counter per client and
// minute, then EXPIRE it so the window cleans itself up.

import { CommandTemplate, Flow, Xorshift } from '../lib/loadgen';
import { KEY_DIGITS } from '../lib/keyload';
import { encodeCommand } from '../lib/resp';
import { PairFlow } from './pair-flow';
import { Scenario } from './scenario';

const CLIENTS = 10_000;
const WINDOW_SECONDS = 60;
/** Minutes since the epoch have 8 digits until the year 2160. */
const WINDOW_DIGITS = 8;

export const rateLimitScenario: Scenario = {
  id: 'ratelimit',
  title: 'Rate limiting',
  request: `INCR rl:<client>:<minute> (${CLIENTS / 1000}K clients), then EXPIRE ${WINDOW_SECONDS}`,
  protocols: ['resp'],

  probe: (keyPrefix) => [
    ['INCR', `${keyPrefix}bench:probe`],
    ['EXPIRE', `${keyPrefix}bench:probe`, String(WINDOW_SECONDS)],
    ['DEL', `${keyPrefix}bench:probe`],
  ],

  // Counters start from nothing, as they do at the top of every window.
  async prepare() {},

  flow(_protocol, keyPrefix, seed): Flow {
    const key = `${keyPrefix}rl:${'#'.repeat(KEY_DIGITS)}:${'#'.repeat(WINDOW_DIGITS)}`;
    return new PairFlow(
      new CommandTemplate(encodeCommand(['INCR', key])),
      new CommandTemplate(encodeCommand(['EXPIRE', key, String(WINDOW_SECONDS)])),
      new Xorshift(seed),
      CLIENTS,
      WINDOW_SECONDS,
    );
  },

  appRequest(keyPrefix, runTag) {
    // One round trip, as a limiter middleware sends it: INCR and EXPIRE in a pipeline.
    return async (redis, index) => {
      const window = Math.floor(Date.now() / 1000 / WINDOW_SECONDS);
      const key = `${keyPrefix}app:${runTag}:rl:${index % CLIENTS}:${window}`;
      const replies = await redis.pipeline().incr(key).expire(key, WINDOW_SECONDS).exec();
      const failed = replies?.find(([error]) => error !== null);
      if (!replies || failed) throw new Error(`rate-limit pipeline failed: ${failed?.[0]?.message ?? 'no replies'}`);
      const count = replies[0][1];
      if (typeof count !== 'number' || count < 1) throw new Error(`INCR ${key} gave ${String(count)}`);
    };
  },
};
