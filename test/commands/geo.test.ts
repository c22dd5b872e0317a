// Geo commands: byte-exact differential scripts against redis-server (RESP2
// and RESP3, 1 and 2 shard threads, stores whose source and destination live
// on different shards), a property test of geohash encoding, decoding and
// searching at random positions against redis, and real clients.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compareWithRedis } from '../helpers/differential';
import { runKeys } from '../helpers/shards';
import { compareEverywhere, suiteServers, type Script } from '../helpers/suite';
/* eslint-disable @typescript-eslint/no-var-requires */
const IORedis5 = require('ioredis5');
const redis4 = require('redis4');
/* eslint-enable @typescript-eslint/no-var-requires */

const servers = suiteServers();

const SICILY = ['13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania', '13.583333', '37.316667', 'Agrigento'];

test('GEOADD, GEOPOS, GEOHASH and GEODIST match redis', async (t) => {
  await compareEverywhere(t, servers, 'basic', (p) => {
    const { a, b } = runKeys(p);
    return [
      ['GEOADD', a, ...SICILY], ['GEOADD', a, ...SICILY], ['ZRANGE', a, '0', '-1', 'WITHSCORES'], ['OBJECT', 'ENCODING', a],
      ['GEOADD', a, 'CH', '13.361389', '38.2', 'Palermo', '1', '1', 'new'], ['GEOADD', a, 'NX', '0', '0', 'Palermo', '2', '2', 'nx'],
      ['GEOADD', a, 'XX', '3', '3', 'Palermo', '4', '4', 'xx'], ['GEOADD', a, 'XX', 'CH', 'NX', '3', '3', 'Palermo'], ['GEOADD', a, 'CH', 'XX', '5', '5', 'Palermo'],
      ['GEOADD', a, 'GT', '1', '1', 'x'], ['GEOADD', a, 'GT', '1', '1'], ['GEOADD', a, '1', '1'], ['GEOADD', a, 'abc', '1', 'x'], ['GEOADD', a, '1', 'abc', 'x'],
      ['GEOADD', a, '200', '100', 'x'], ['GEOADD', a, '-180.0001', '0', 'x'], ['GEOADD', a, '0', '85.06', 'x'], ['GEOADD', a, '1e300', '0', 'x'],
      ['GEOADD', a, 'inf', '0', 'x'], ['GEOADD', a, '0.0078125', '-85.0078125', 'x'], ['GEOADD', a, '1', '1', 'ok', '1', '99', 'bad'], ['EXISTS', 'nope'],
      ['GEOADD', b, '180', '85.05112878', 'corner', '-180', '-85.05112878', 'other', '0', '0', 'zero', '179.9999999', '0', 'east'],
      ['GEOPOS', b, 'corner', 'other', 'zero', 'east', 'missing'], ['GEOHASH', b, 'corner', 'other', 'zero', 'east', 'missing'], ['ZSCORE', b, 'corner'],
      ['GEOPOS', a, 'Palermo', 'Catania', 'nope', 'Agrigento'], ['GEOHASH', a, 'Palermo', 'Catania', 'nope'], ['GEOPOS', 'nokey', 'x'], ['GEOHASH', 'nokey', 'x', 'y'],
      ['GEODIST', a, 'Catania', 'Agrigento'], ['GEODIST', a, 'Catania', 'Agrigento', 'km'], ['GEODIST', a, 'Catania', 'Agrigento', 'MI'], ['GEODIST', a, 'Catania', 'Agrigento', 'ft'],
      ['GEODIST', a, 'Catania', 'Catania'], ['GEODIST', a, 'Catania', 'nope'], ['GEODIST', a, 'nope', 'Catania'], ['GEODIST', 'nokey', 'a', 'b'], ['GEODIST', a, 'Catania', 'Agrigento', 'yd'],
      ['GEODIST', a, 'Catania', 'Agrigento', 'km', 'x'], ['GEODIST', b, 'corner', 'other'], ['GEODIST', b, 'zero', 'east', 'km'],
      ['ZADD', b, '0', 'z0', '1e30', 'huge', '-5', 'neg', '-1e30', 'negHuge', '4503599627370496', 'top', '9007199254740993', 'big'],
      ['GEOPOS', b, 'z0', 'huge', 'neg', 'negHuge', 'top', 'big'], ['GEOHASH', b, 'z0', 'huge', 'neg', 'negHuge', 'top', 'big'], ['GEODIST', b, 'z0', 'neg'],
      ['SET', 'str:' + p, 'x'], ['GEOADD', 'str:' + p, '1', '1', 'x'], ['GEOPOS', 'str:' + p, 'x'], ['GEOHASH', 'str:' + p, 'x'], ['GEODIST', 'str:' + p, 'x', 'y'],
      ['GEOADD', a], ['GEOPOS', a], ['GEODIST', a, 'x'],
    ];
  });
});

test('GEORADIUS, GEORADIUSBYMEMBER and GEOSEARCH match redis', async (t) => {
  await compareEverywhere(t, servers, 'search', (p) => {
    const { a } = runKeys(p);
    const points: string[] = [];
    for (let i = 0; i < 60; i++) points.push(String(13 + (i % 10) * 0.21), String(37 + Math.floor(i / 10) * 0.17), `p${i}`);
    return [
      ['GEOADD', a, ...SICILY, ...points],
      ['GEORADIUS', a, '15', '37', '200', 'km'], ['GEORADIUS', a, '15', '37', '200', 'km', 'ASC'], ['GEORADIUS', a, '15', '37', '200', 'km', 'DESC', 'WITHDIST'],
      ['GEORADIUS', a, '15', '37', '200', 'km', 'WITHCOORD', 'WITHHASH', 'WITHDIST', 'COUNT', '5'], ['GEORADIUS', a, '15', '37', '200', 'km', 'COUNT', '3', 'ANY'],
      ['GEORADIUS', a, '15', '37', '200', 'km', 'COUNT', '3', 'ANY', 'DESC'], ['GEORADIUS', a, '15', '37', '200', 'km', 'ANY'], ['GEORADIUS', a, '15', '37', '200', 'km', 'COUNT'],
      ['GEORADIUS', a, '15', '37', '200', 'km', 'COUNT', 'x'], ['GEORADIUS', a, '15', '37', '200', 'km', 'COUNT', '0'], ['GEORADIUS', a, '15', '37', '200', 'km', 'COUNT', '-3'],
      ['GEORADIUS', a, '15', '37', '200', 'km', 'COUNT', '99999999999999999999'], ['GEORADIUS', a, '15', '37', '-1', 'km'], ['GEORADIUS', a, '15', '37', 'x', 'km'],
      ['GEORADIUS', a, '15', '37', '200', 'parsec'], ['GEORADIUS', a, '15', '97', '200', 'km'], ['GEORADIUS', a, '15', '37', '200', 'km', 'STORE', a, 'WITHDIST'],
      ['GEORADIUS', a, '15', '37', '200', 'km', 'bogus'], ['GEORADIUS', a, '15', '37', '0', 'km'], ['GEORADIUS', a, '15', '37', '20000', 'km', 'COUNT', '4'],
      ['GEORADIUS', a, '0', '0', '5000', 'km'], ['GEORADIUS', a, '15', '37', '100000', 'mi', 'ASC', 'COUNT', '2'], ['GEORADIUS_RO', a, '15', '37', '200', 'km', 'WITHDIST', 'ASC'],
      ['GEORADIUS_RO', a, '15', '37', '200', 'km', 'STORE', 'x'], ['GEORADIUS', 'nokey', '15', '37', '200', 'km'], ['GEORADIUS', 'nokey', '15', '37', '-1', 'km'],
      ['GEORADIUSBYMEMBER', a, 'Palermo', '150', 'km', 'ASC', 'WITHDIST'], ['GEORADIUSBYMEMBER', a, 'nope', '150', 'km'], ['GEORADIUSBYMEMBER', 'nokey', 'nope', 'x', 'y'],
      ['GEORADIUSBYMEMBER', 'nokey', 'nope', 'x', 'y', 'bogus'], ['GEORADIUSBYMEMBER_RO', a, 'p5', '30', 'km', 'WITHCOORD', 'DESC'],
      ['GEOSEARCH', a, 'FROMMEMBER', 'p12', 'BYRADIUS', '40', 'km', 'ASC', 'WITHDIST', 'WITHCOORD', 'WITHHASH'], ['GEOSEARCH', a, 'FROMLONLAT', '14', '37.5', 'BYBOX', '100', '50', 'km', 'ASC'],
      ['GEOSEARCH', a, 'FROMLONLAT', '14', '37.5', 'BYBOX', '100', '50', 'km', 'DESC', 'COUNT', '4', 'WITHDIST'], ['GEOSEARCH', a, 'FROMLONLAT', '14', '37.5', 'BYBOX', '400', '400', 'mi'],
      ['GEOSEARCH', a, 'FROMLONLAT', '14', '37.5', 'BYBOX', '-1', '50', 'km'], ['GEOSEARCH', a, 'FROMLONLAT', '14', '37.5', 'BYBOX', 'x', '50', 'km'], ['GEOSEARCH', a, 'FROMLONLAT', '14', '37.5', 'BYBOX', '1', 'y', 'km'],
      ['GEOSEARCH', a, 'FROMLONLAT', '14', '37.5', 'BYRADIUS', '10', 'km', 'BYBOX', '1', '1', 'km'], ['GEOSEARCH', a, 'FROMLONLAT', '14', '37.5', 'FROMMEMBER', 'p1', 'BYRADIUS', '10', 'km'],
      ['GEOSEARCH', a, 'FROMMEMBER', 'nope', 'BYRADIUS', '10', 'km'], ['GEOSEARCH', a, 'BYRADIUS', '10', 'km', 'ASC'], ['geosearch', a, 'FROMMEMBER', 'p1', 'ASC', 'COUNT', '1'],
      ['GEOSEARCH', a, 'FROMLONLAT', '14', '37.5', 'BYRADIUS', '10', 'km', 'STOREDIST'], ['GEOSEARCH', a, 'FROMLONLAT', '14', '37.5', 'BYRADIUS', '10', 'km', 'STORE', 'x'],
      ['GEOSEARCH', 'nokey', 'FROMMEMBER', 'x', 'BYRADIUS', '10', 'km'], ['GEOSEARCH', a, 'FROMLONLAT', '179.9', '0', 'BYBOX', '400', '400', 'km'], ['GEOSEARCH', a, 'FROMLONLAT', '0', '85', 'BYRADIUS', '1000', 'km'],
      ['SET', 'str:' + p, 'x'], ['GEORADIUS', 'str:' + p, '15', '37', '200', 'km'], ['GEOSEARCH', 'str:' + p, 'FROMMEMBER', 'x', 'BYRADIUS', '10', 'km'],
    ];
  });
});

test('GEORADIUS STORE and GEOSEARCHSTORE match redis, across shards too', async (t) => {
  await compareEverywhere(t, servers, 'store', (p) => {
    const { a, b, c } = runKeys(p);
    return [
      ['GEOADD', a, ...SICILY], ['SET', b, 'old'], ['EXPIRE', b, '1000'],
      ['GEORADIUS', a, '15', '37', '200', 'km', 'STORE', b], ['TTL', b], ['ZRANGE', b, '0', '-1', 'WITHSCORES'], ['OBJECT', 'ENCODING', b],
      ['GEORADIUS', a, '15', '37', '200', 'km', 'STOREDIST', b, 'COUNT', '1'], ['ZRANGE', b, '0', '-1', 'WITHSCORES'],
      ['GEORADIUS', a, '15', '37', '200', 'km', 'STORE', c, 'STOREDIST', b, 'DESC'], ['ZRANGE', b, '0', '-1', 'WITHSCORES'], ['EXISTS', c],
      ['GEORADIUSBYMEMBER', a, 'Agrigento', '100', 'km', 'STORE', b], ['ZRANGE', b, '0', '-1', 'WITHSCORES'],
      ['GEORADIUSBYMEMBER', a, 'Agrigento', '100', 'km', 'STOREDIST', c], ['ZRANGE', c, '0', '-1', 'WITHSCORES'],
      ['GEORADIUS', a, '15', '37', '1', 'm', 'STORE', b], ['EXISTS', b], ['GEORADIUS', 'nokey', '15', '37', '1', 'm', 'STORE', c], ['EXISTS', c],
      ['GEOSEARCHSTORE', b, a, 'FROMMEMBER', 'Palermo', 'BYRADIUS', '300', 'km'], ['ZRANGE', b, '0', '-1', 'WITHSCORES'],
      ['GEOSEARCHSTORE', b, a, 'FROMMEMBER', 'Palermo', 'BYRADIUS', '300', 'km', 'STOREDIST', 'DESC', 'COUNT', '2'], ['ZRANGE', b, '0', '-1', 'WITHSCORES'],
      ['GEOSEARCHSTORE', b, a, 'FROMMEMBER', 'Palermo', 'BYBOX', '1', '1', 'm'], ['EXISTS', b], ['GEOSEARCHSTORE', c, 'nokey', 'FROMMEMBER', 'x', 'BYRADIUS', '1', 'km'],
      ['GEOSEARCHSTORE', b, a, 'FROMMEMBER', 'Palermo', 'BYRADIUS', '300', 'km', 'WITHDIST'], ['GEOSEARCHSTORE', b, a, 'FROMMEMBER', 'nope', 'BYRADIUS', '300', 'km'],
      ['GEOSEARCHSTORE', b, a, 'FROMMEMBER', 'Palermo', 'BYRADIUS', '300', 'km', 'STORE', c], ['GEOSEARCHSTORE', a, a, 'FROMMEMBER', 'Palermo', 'BYRADIUS', '100', 'km'],
      ['ZRANGE', a, '0', '-1', 'WITHSCORES'], ['SET', c, 'str'], ['GEOSEARCHSTORE', b, c, 'FROMMEMBER', 'x', 'BYRADIUS', '300', 'km'],
      ['MULTI'], ['GEOADD', c + 'x', '1', '1', 'm'], ['GEORADIUS', a, '15', '37', '200', 'km', 'STORE', b], ['EXEC'],
    ];
  });
});

test('COMMAND INFO of the geo commands matches redis', async (t) => {
  const names = ['geoadd', 'geodist', 'geohash', 'geopos', 'geosearch', 'geosearchstore', 'georadius', 'georadius_ro', 'georadiusbymember', 'georadiusbymember_ro'];
  await compareWithRedis(t, servers.ours1, servers.redis, [
    ...names.map((name) => ['COMMAND', 'INFO', name]),
    ['COMMAND', 'GETKEYS', 'GEORADIUS', 'k', '1', '1', '1', 'km', 'STORE', 'x', 'STOREDIST', 'y'], ['COMMAND', 'GETKEYS', 'GEOSEARCHSTORE', 'd', 's', 'FROMMEMBER', 'x', 'BYRADIUS', '1', 'km'],
  ]);
});

/** A random position in Redis's valid range, as text. */
const longitude = fc.double({ min: -180, max: 180, noNaN: true }).map(String);
const latitude = fc.double({ min: -85.05112878, max: 85.05112878, noNaN: true }).map(String);

test('geohash encoding, decoding, distances and searches at random positions match redis', async (t) => {
  if (servers.redis === null) {
    t.skip('redis-server not installed');
    return;
  }
  let run = 0;
  const unit = fc.constantFrom('m', 'km', 'mi', 'ft');
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(longitude, latitude), { minLength: 2, maxLength: 60 }),
      fc.array(fc.tuple(fc.nat(59), fc.double({ min: 0, max: 3000, noNaN: true }), fc.double({ min: 0, max: 3000, noNaN: true }), unit, fc.boolean()), { minLength: 1, maxLength: 12 }),
      async (points, searches) => {
        run++;
        const key = `prop:geo:${run}`;
        const members = points.map((_, i) => `m${i}`);
        const script: Script = [['GEOADD', key, ...points.flatMap(([lon, lat], i) => [lon, lat, members[i]])]];
        script.push(['GEOPOS', key, ...members], ['GEOHASH', key, ...members], ['ZRANGE', key, '0', '-1', 'WITHSCORES']);
        for (let i = 1; i < members.length; i++) script.push(['GEODIST', key, members[i - 1], members[i], 'km']);
        for (const [from, size1, size2, u, box] of searches) {
          const centre = members[from % members.length];
          const shape = box ? ['BYBOX', String(size1), String(size2), u] : ['BYRADIUS', String(size1), u];
          script.push(['GEOSEARCH', key, 'FROMMEMBER', centre, ...shape, 'ASC', 'WITHDIST', 'WITHCOORD', 'WITHHASH']);
          const [lon, lat] = points[from % points.length];
          script.push(['GEORADIUS', key, lon, lat, String(size1), u, 'WITHDIST', 'COUNT', '5', 'DESC']);
        }
        for (const ours of [servers.ours1, servers.ours2]) {
          await compareWithRedis(t, ours, servers.redis, script);
          await compareWithRedis(t, ours, servers.redis, [['DEL', key]]);
        }
      },
    ),
    { numRuns: 25 },
  );
});

test('real clients: ioredis and node-redis', async () => {
  const io = new IORedis5({ port: servers.ours2.port, host: servers.ours2.host, lazyConnect: true });
  await io.connect();
  const nr = redis4.createClient({ socket: { port: servers.ours1.port, host: servers.ours1.host } });
  await nr.connect();
  try {
    assert.equal(await io.geoadd('cli:geo', 13.361389, 38.115556, 'Palermo', 15.087269, 37.502669, 'Catania'), 2);
    assert.equal(await io.geodist('cli:geo', 'Palermo', 'Catania', 'km'), '166.2742');
    assert.deepEqual(await io.geosearch('cli:geo', 'FROMLONLAT', 15, 37, 'BYRADIUS', 200, 'km', 'ASC'), ['Catania', 'Palermo']);
    assert.deepEqual(await io.geohash('cli:geo', 'Palermo'), ['sqc8b49rny0']);
    assert.equal(await nr.geoAdd('cli:geo', [{ longitude: 13.361389, latitude: 38.115556, member: 'Palermo' }, { longitude: 15.087269, latitude: 37.502669, member: 'Catania' }]), 2);
    assert.deepEqual(await nr.geoPos('cli:geo', ['Palermo', 'nope']), [{ longitude: '13.36138933897018433', latitude: '38.11555639549629859' }, null]);
    assert.deepEqual(await nr.geoSearch('cli:geo', 'Palermo', { radius: 200, unit: 'km' }), ['Palermo', 'Catania']);
  } finally {
    io.disconnect();
    await nr.quit();
  }
});
