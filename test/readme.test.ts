// The README's command list is written by hand; this keeps it in step with the
// command table (every command clients can call is listed, nothing else is).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { allFamilies } from '../src/commands';

test('README lists exactly the commands of the command table', () => {
  const readme = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
  const section = /## Commands\n([\s\S]*?)\n## /.exec(readme);
  assert.ok(section, 'README has a "## Commands" section');
  const listed = new Set(section[1].match(/\b[A-Z][A-Z_-]+\b/g) ?? []);
  const declared = new Set<string>();
  for (const family of allFamilies) {
    for (const decl of family) {
      if (decl.internal) continue;
      declared.add(decl.name.toUpperCase());
      for (const sub of decl.subcommands ?? []) declared.add(sub.name.toUpperCase());
    }
  }
  const missing = [...declared].filter((name) => !listed.has(name));
  assert.deepEqual(missing, [], 'commands missing from the README');
  const extra = [...listed].filter((name) => !declared.has(name));
  assert.deepEqual(extra, [], 'README lists commands that do not exist');
});

