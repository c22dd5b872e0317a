// Response caching of product JSON, cache-aside: GET the product; on a miss, the
// application renders it and stores it with SETEX for 300 s. 90% of the catalogue
// is cached before the run, so requests are mostly hits and every miss fills.

import { CommandTemplate, Flow, Protocol, ReplyKind, Xorshift } from '../lib/loadgen';
import { KEY_DIGITS, loadDistinctKeys } from '../lib/keyload';
import { MemcachedClient, loadDistinctItems } from '../lib/memcached';
import { RespClient, encodeCommand } from '../lib/resp';
import { Scenario } from './scenario';

export const PRODUCT_COUNT = 100_000;
const PRELOADED_PRODUCTS = 90_000;
export const PRODUCT_JSON_BYTES = 400;
export const PRODUCT_TTL_SECONDS = 300;
const FIELD = '#'.repeat(KEY_DIGITS);

const DESCRIPTION_TEXT =
  'Hand-finished in small batches from recycled aluminium, with a matte coating that resists scratches and ' +
  'fingerprints. Ships flat-packed with tool-free assembly, a two-year warranty and free returns within 30 days. ';

/** The product's JSON, padded in its description to exactly PRODUCT_JSON_BYTES bytes. */
export function productJson(id: number): Buffer {
  const head =
    `{"id":${id},"sku":"SKU-${String(id).padStart(8, '0')}","name":"Desk lamp model ${id}",` +
    `"price":${(19 + (id % 200) + 0.99).toFixed(2)},"currency":"EUR","stock":${id % 97},` +
    `"tags":["lighting","office","home"],"rating":${(3 + (id % 20) / 10).toFixed(1)},"description":"`;
  const tail = '"}';
  const room = PRODUCT_JSON_BYTES - head.length - tail.length;
  const start = id % DESCRIPTION_TEXT.length;
  let description = '';
  while (description.length < room + start) description += DESCRIPTION_TEXT;
  return Buffer.from(head + description.slice(start, start + room) + tail, 'latin1');
}

/** A ValueWriter of product JSON, for the key loaders. */
export function writeProductJson(index: number, target: Buffer, offset: number): void {
  productJson(index).copy(target, offset);
}

/** Reads a product; on a miss, fills it. The same flow serves both protocols through its templates. */
class CacheAsideFlow implements Flow {
  private productId = 0;
  private filling = false;

  constructor(
    private readonly get: CommandTemplate,
    private readonly fill: CommandTemplate,
    private readonly random: Xorshift,
  ) {}

  first(): Buffer {
    this.productId = this.random.below(PRODUCT_COUNT);
    this.filling = false;
    this.get.setField(0, this.productId);
    return this.get.bytes;
  }

  next(reply: ReplyKind): Buffer | null {
    if (this.filling || reply !== ReplyKind.Missing) return null;
    this.filling = true;
    this.fill.setField(0, this.productId);
    return this.fill.bytes;
  }
}

/** RESP: GET / SETEX key 300 json. Memcached: get / set key 0 300 400. */
function cacheTemplates(protocol: Protocol, keyPrefix: string, json: Buffer): [CommandTemplate, CommandTemplate] {
  const key = `${keyPrefix}product:${FIELD}`;
  if (protocol === 'resp') {
    return [
      new CommandTemplate(encodeCommand(['GET', key])),
      new CommandTemplate(encodeCommand(['SETEX', key, String(PRODUCT_TTL_SECONDS), json])),
    ];
  }
  const setLine = Buffer.from(`set ${key} 0 ${PRODUCT_TTL_SECONDS} ${json.length}\r\n`, 'latin1');
  return [
    new CommandTemplate(Buffer.from(`get ${key}\r\n`, 'latin1')),
    new CommandTemplate(Buffer.concat([setLine, json, Buffer.from('\r\n', 'latin1')])),
  ];
}

export const cacheScenario: Scenario = {
  id: 'cache',
  title: 'Response caching of product JSON',
  request: `GET product:<id> (${PRODUCT_COUNT / 1000}K products, ${(PRELOADED_PRODUCTS / PRODUCT_COUNT) * 100}% cached at start); on a miss SETEX 300 with ${PRODUCT_JSON_BYTES}-byte JSON`,
  protocols: ['resp', 'memcached'],

  probe: (keyPrefix) => [
    ['SETEX', `${keyPrefix}bench:probe`, '300', 'x'],
    ['GET', `${keyPrefix}bench:probe`],
    ['DEL', `${keyPrefix}bench:probe`],
  ],

  async prepare(endpoint, keyPrefix) {
    const load = {
      count: PRELOADED_PRODUCTS,
      valueSize: PRODUCT_JSON_BYTES,
      keyPrefix: `${keyPrefix}product:`,
      ttlSeconds: PRODUCT_TTL_SECONDS,
      writeValue: writeProductJson,
    };
    if (endpoint.protocol === 'memcached') {
      const client = await MemcachedClient.connect(endpoint.port, endpoint.host);
      try {
        await loadDistinctItems(client, load);
      } finally {
        client.close();
      }
      return;
    }
    const client = await RespClient.connect(endpoint.port, endpoint.host);
    try {
      await loadDistinctKeys(client, load);
    } finally {
      client.close();
    }
  },

  flow(protocol: Protocol, keyPrefix: string, seed: number): Flow {
    const random = new Xorshift(seed);
    const [get, fill] = cacheTemplates(protocol, keyPrefix, productJson(random.below(PRODUCT_COUNT)));
    return new CacheAsideFlow(get, fill, random);
  },

  appRequest(keyPrefix, runTag) {
    // Product ids of this run that nothing has cached yet: every request misses, renders and fills.
    return async (redis, index) => {
      const key = `${keyPrefix}app:${runTag}:product:${index}`;
      const cached = await redis.getBuffer(key);
      if (cached !== null) throw new Error(`${key} was cached before its first request`);
      const reply = await redis.setex(key, PRODUCT_TTL_SECONDS, productJson(index));
      if (reply !== 'OK') throw new Error(`SETEX ${key} replied ${reply}`);
    };
  },
};
