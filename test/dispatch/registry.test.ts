// The command table's lookup of argv[0]: any mix of case finds the command, nothing else does.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CommandTable } from '../../src/dispatch/registry';
import { allFamilies } from '../../src/commands/index';

const table = new CommandTable(allFamilies);
const names = [...table.byName.keys()];

test('every command is found under any mix of case', () => {
  fc.assert(
    fc.property(fc.constantFrom(...names), fc.array(fc.boolean(), { minLength: 32, maxLength: 32 }), (name, upper) => {
      const sent = [...name].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join('');
      assert.equal(table.lookup(Buffer.from(sent, 'latin1')), table.byName.get(name));
    }),
  );
});

test('names that are not commands are not found', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 20 }), (bytes) => {
      const sent = Buffer.from(bytes);
      const expected = table.byName.get(sent.toString('latin1').toLowerCase());
      assert.equal(table.lookup(sent), expected);
    }),
  );
  for (const near of ['ge', 'gett', 'g\u00c5t', 'get\0', 'hse', '_get', 'GET ']) assert.equal(table.lookup(Buffer.from(near, 'latin1')), undefined, near);
});
