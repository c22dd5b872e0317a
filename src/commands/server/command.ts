// COMMAND and its subcommands: every reply is built from the command table
import { isKeyword } from '../../util/keyword';
// (the declarations of src/commands/*), in Redis 7.0's exact shapes.

import { command, type Command, type CommandFlag, type ExecContext, type KeySpec, type KeySpecFlag } from '../../dispatch/command';
import type { CommandTable } from '../../dispatch/registry';
import { keyPositions } from '../../dispatch/registry';
import type { ReplyWriter } from '../../protocol/reply';
import { globMatch } from '../../util/glob';
import { SYNTAX } from '../errors';
import { replyHelp } from './help';

/** Command flags in the order Redis lists them (may_replicate is hidden, as in Redis). */
const FLAG_ORDER: readonly CommandFlag[] = [
  'write', 'readonly', 'denyoom', 'admin', 'pubsub', 'noscript', 'blocking', 'loading', 'stale',
  'skip_monitor', 'skip_slowlog', 'fast', 'no_auth', 'no_mandatory_keys', 'no_multi', 'movablekeys', 'allow_busy',
];

/** ACL categories in Redis's table order. */
export const ACL_CATEGORIES: readonly string[] = [
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog', 'geo',
  'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection', 'transaction', 'scripting',
];

const KEY_SPEC_FLAG_ORDER: readonly KeySpecFlag[] = [
  'RO', 'RW', 'OW', 'RM', 'access', 'update', 'insert', 'delete', 'not_key', 'incomplete', 'variable_flags',
];

/** A command's ACL categories, with the ones Redis implies from its flags, in Redis's order. */
export function aclCategories(cmd: Command): string[] {
  const cats = new Set(cmd.acl);
  const has = (f: CommandFlag) => cmd.flags.includes(f);
  if (has('write')) cats.add('write');
  if (has('readonly') && !cats.has('scripting')) cats.add('read');
  if (has('admin')) {
    cats.add('admin');
    cats.add('dangerous');
  }
  if (has('pubsub')) cats.add('pubsub');
  if (has('fast')) cats.add('fast');
  if (has('blocking')) cats.add('blocking');
  if (!cats.has('fast')) cats.add('slow');
  return ACL_CATEGORIES.filter((c) => cats.has(c));
}

/** The key specs COMMAND INFO reports: the declared ones, or one derived from first/last/step. */
export function keySpecsOf(cmd: Command): readonly KeySpec[] {
  if (cmd.keySpecs) return cmd.keySpecs;
  const [first, last, step] = cmd.keys;
  if (first <= 0) return [];
  const flags: KeySpecFlag[] = cmd.flags.includes('write') ? ['RW', 'update'] : ['RO', 'access'];
  return [{ flags, begin: { index: first }, find: { lastkey: last < 0 ? last : last - first, keystep: step, limit: 0 } }];
}

/** Looks a command up by name as COMMAND INFO/DOCS do: 'get', or 'client|list' for a subcommand. */
export function findCommand(table: CommandTable, name: string): Command | undefined {
  const parts = name.toLowerCase().split('|');
  if (parts.length > 2) return undefined;
  const base = table.byName.get(parts[0]);
  if (base === undefined || base.internal) return undefined;
  if (parts.length === 1) return base;
  return base.subcommandMap?.get(parts[1]);
}

function replyStatusSet(r: ReplyWriter, items: readonly string[]): void {
  r.set(items.length);
  for (const s of items) r.simple(s);
}

function replyKeySpecs(r: ReplyWriter, specs: readonly KeySpec[]): void {
  r.set(specs.length);
  for (const spec of specs) {
    r.map(spec.notes ? 4 : 3);
    if (spec.notes) {
      r.bulkString('notes');
      r.bulkString(spec.notes);
    }
    r.bulkString('flags');
    replyStatusSet(r, KEY_SPEC_FLAG_ORDER.filter((f) => spec.flags.includes(f)));
    r.bulkString('begin_search');
    if (spec.begin === 'unknown') replyKeySearch(r, 'unknown', {});
    else if ('index' in spec.begin) replyKeySearch(r, 'index', { index: spec.begin.index });
    else replyKeySearch(r, 'keyword', { keyword: spec.begin.keyword, startfrom: spec.begin.startfrom });
    r.bulkString('find_keys');
    if (spec.find === 'unknown') replyKeySearch(r, 'unknown', {});
    else if ('lastkey' in spec.find) replyKeySearch(r, 'range', { lastkey: spec.find.lastkey, keystep: spec.find.keystep, limit: spec.find.limit });
    else replyKeySearch(r, 'keynum', { keynumidx: spec.find.keynumidx, firstkey: spec.find.firstkey, keystep: spec.find.keystep });
  }
}

/** A begin_search or find_keys map: {type, spec: {name: value, ...}}, the spec in the given order. */
function replyKeySearch(r: ReplyWriter, type: string, spec: Record<string, number | string>): void {
  r.map(2);
  r.bulkString('type');
  r.bulkString(type);
  r.bulkString('spec');
  const names = Object.keys(spec);
  r.map(names.length);
  for (const name of names) {
    const value = spec[name];
    r.bulkString(name);
    if (typeof value === 'number') r.int(value);
    else r.bulkString(value);
  }
}

/** One command's COMMAND INFO entry (a 10-element array), or a null for an unknown name. */
function replyCommandInfo(r: ReplyWriter, cmd: Command | undefined): void {
  if (cmd === undefined) {
    r.nil();
    return;
  }
  r.array(10);
  r.bulkString(cmd.fullName);
  r.int(cmd.arity);
  replyStatusSet(r, FLAG_ORDER.filter((f) => cmd.flags.includes(f)));
  r.int(cmd.keys[0]);
  r.int(cmd.keys[1]);
  r.int(cmd.keys[2]);
  replyStatusSet(r, aclCategories(cmd).map((c) => `@${c}`));
  const tips = cmd.tips ?? [];
  r.set(tips.length);
  for (const tip of tips) r.bulkString(tip);
  replyKeySpecs(r, keySpecsOf(cmd));
  if (cmd.subcommandMap === null) {
    r.set(0);
  } else {
    r.array(cmd.subcommandMap.size);
    for (const sub of cmd.subcommandMap.values()) replyCommandInfo(r, sub);
  }
}

/** One command's COMMAND DOCS map. We keep no argument lists, so 'arguments' is never present. */
function replyCommandDocs(r: ReplyWriter, cmd: Command): void {
  const subs = cmd.subcommandMap;
  r.map(3 + (cmd.complexity ? 1 : 0) + (subs ? 1 : 0));
  r.bulkString('summary');
  r.bulkString(cmd.summary);
  r.bulkString('since');
  r.bulkString(cmd.since);
  r.bulkString('group');
  r.bulkString(cmd.group);
  if (cmd.complexity) {
    r.bulkString('complexity');
    r.bulkString(cmd.complexity);
  }
  if (subs) {
    r.bulkString('subcommands');
    r.map(subs.size);
    for (const sub of subs.values()) {
      r.bulkString(sub.fullName);
      replyCommandDocs(r, sub);
    }
  }
}

function commandAll(ctx: ExecContext): void {
  const cmds = [...ctx.dispatcher.table.visible()];
  ctx.reply.array(cmds.length);
  for (const cmd of cmds) replyCommandInfo(ctx.reply, cmd);
}

function commandCount(ctx: ExecContext): void {
  ctx.reply.int([...ctx.dispatcher.table.visible()].length);
}

function commandInfo(ctx: ExecContext, argv: Buffer[]): void {
  if (argv.length === 2) {
    commandAll(ctx);
    return;
  }
  ctx.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) replyCommandInfo(ctx.reply, findCommand(ctx.dispatcher.table, argv[i].toString('latin1')));
}

function commandDocs(ctx: ExecContext, argv: Buffer[]): void {
  const table = ctx.dispatcher.table;
  const found: Command[] = [];
  if (argv.length === 2) {
    found.push(...table.visible());
  } else {
    for (let i = 2; i < argv.length; i++) {
      const cmd = findCommand(table, argv[i].toString('latin1'));
      if (cmd) found.push(cmd);
    }
  }
  ctx.reply.map(found.length);
  for (const cmd of found) {
    ctx.reply.bulkString(cmd.fullName);
    replyCommandDocs(ctx.reply, cmd);
  }
}

type ListFilter = (cmd: Command) => boolean;

function commandList(ctx: ExecContext, argv: Buffer[]): void {
  let filter: ListFilter = () => true;
  for (let i = 2; i < argv.length; i += 3) {
    if (!isKeyword(argv[i], 'FILTERBY') || argv.length - 1 - i !== 2) {
      ctx.reply.error(SYNTAX);
      return;
    }
    const value = argv[i + 2];
    if (isKeyword(argv[i + 1], 'MODULE')) {
      filter = () => false; // no modules
    } else if (isKeyword(argv[i + 1], 'ACLCAT')) {
      const cat = value.toString('latin1').toLowerCase();
      filter = (cmd) => aclCategories(cmd).includes(cat);
    } else if (isKeyword(argv[i + 1], 'PATTERN')) {
      filter = (cmd) => globMatch(value, Buffer.from(cmd.fullName, 'latin1'), true);
    } else {
      ctx.reply.error(SYNTAX);
      return;
    }
  }
  const names: string[] = [];
  for (const cmd of ctx.dispatcher.table.visible()) {
    if (filter(cmd)) names.push(cmd.fullName);
    for (const sub of cmd.subcommandMap?.values() ?? []) if (filter(sub)) names.push(sub.fullName);
  }
  ctx.reply.stringArray(names);
}

/** The command an argv names as Redis's lookupCommand does: a container's subcommand only when one is given. */
function lookupCalled(table: CommandTable, argv: Buffer[]): Command | undefined {
  const base = findCommand(table, argv[0].toString('latin1'));
  if (base === undefined || base.subcommandMap === null || argv.length === 1) return base;
  return base.subcommandMap.get(argv[1].toString('latin1').toLowerCase());
}

/** The key-spec flags of the key at argv position `pos`: the spec whose range covers it, else the first spec's. */
function keyFlagsAt(cmd: Command, pos: number, argc: number): readonly KeySpecFlag[] {
  const specs = keySpecsOf(cmd);
  for (const spec of specs) {
    if (spec.begin === 'unknown' || !('index' in spec.begin) || spec.find === 'unknown' || !('lastkey' in spec.find)) continue;
    const first = spec.begin.index;
    const last = spec.find.lastkey < 0 ? argc + spec.find.lastkey : first + spec.find.lastkey;
    if (pos >= first && pos <= last && (pos - first) % spec.find.keystep === 0) return spec.flags;
  }
  return specs.length > 0 ? specs[0].flags : [];
}

function commandGetKeys(ctx: ExecContext, argv: Buffer[], withFlags: boolean): void {
  const r = ctx.reply;
  const call = argv.slice(2);
  const cmd = lookupCalled(ctx.dispatcher.table, call);
  if (cmd === undefined) {
    r.error('ERR Invalid command specified');
    return;
  }
  if (cmd.keys[0] <= 0 && !cmd.keyFinder && !cmd.keySpecs?.length) {
    r.error('ERR The command has no key arguments');
    return;
  }
  if ((cmd.arity > 0 && cmd.arity !== call.length) || call.length < -cmd.arity) {
    r.error('ERR Invalid number of arguments specified for command');
    return;
  }
  const positions = keyPositions(cmd, call);
  if (positions.length === 0) {
    if (cmd.flags.includes('no_mandatory_keys')) r.array(0);
    else r.error('ERR Invalid arguments specified for command');
    return;
  }
  r.array(positions.length);
  for (const pos of positions) {
    if (!withFlags) {
      r.bulk(call[pos]);
      continue;
    }
    r.array(2);
    r.bulk(call[pos]);
    const flags = keyFlagsAt(cmd, pos, call.length);
    replyStatusSet(r, KEY_SPEC_FLAG_ORDER.filter((f) => flags.includes(f)));
  }
}

const COMMAND_HELP = [
  '(no subcommand)',
  '    Return details about all Redis commands.',
  'COUNT',
  '    Return the total number of commands in this Redis server.',
  'LIST',
  '    Return a list of all commands in this Redis server.',
  'INFO [<command-name> ...]',
  '    Return details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'DOCS [<command-name> ...]',
  '    Return documentation details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'GETKEYS <full-command>',
  '    Return the keys from a full Redis command.',
  'GETKEYSANDFLAGS <full-command>',
  '    Return the keys and the access flags from a full Redis command.',
];

const SUB = { flags: ['loading', 'stale'], keys: [0, 0, 0], acl: ['slow', 'connection'], group: 'server' } as const;

export const commandCommand = command({
  name: 'command', arity: -1, ...SUB, summary: 'Get array of Redis command details', since: '2.8.13',
  complexity: 'O(N) where N is the total number of Redis commands', tips: ['nondeterministic_output_order'],
  handler: commandAll,
  subcommands: [
    command({ name: 'docs', arity: -2, ...SUB, summary: 'Get array of specific Redis command documentation', since: '7.0.0', complexity: 'O(N) where N is the number of commands to look up', tips: ['nondeterministic_output_order'], handler: commandDocs }),
    command({ name: 'info', arity: -2, ...SUB, summary: 'Get array of specific Redis command details, or all when no argument is given.', since: '2.8.13', complexity: 'O(N) where N is the number of commands to look up', tips: ['nondeterministic_output_order'], handler: commandInfo }),
    command({ name: 'count', arity: 2, ...SUB, summary: 'Get total number of Redis commands', since: '2.8.13', complexity: 'O(1)', handler: commandCount }),
    command({ name: 'help', arity: 2, ...SUB, summary: 'Show helpful text about the different subcommands', since: '5.0.0', complexity: 'O(1)', handler: (ctx) => replyHelp(ctx.reply, 'COMMAND', COMMAND_HELP) }),
    command({ name: 'getkeys', arity: -4, ...SUB, summary: 'Extract keys given a full Redis command', since: '2.8.13', complexity: 'O(N) where N is the number of arguments to the command', handler: (ctx, argv) => commandGetKeys(ctx, argv, false) }),
    command({ name: 'list', arity: -2, ...SUB, summary: 'Get an array of Redis command names', since: '7.0.0', complexity: 'O(N) where N is the total number of Redis commands', tips: ['nondeterministic_output_order'], handler: commandList }),
    command({ name: 'getkeysandflags', arity: -4, ...SUB, summary: 'Extract keys and access flags given a full Redis command', since: '7.0.0', complexity: 'O(N) where N is the number of arguments to the command', handler: (ctx, argv) => commandGetKeys(ctx, argv, true) }),
  ],
});
