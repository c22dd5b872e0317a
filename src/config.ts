// Server configuration: one table of parameters, read by the CLI, the
// redis.conf-style config file, CONFIG GET/SET and the code that uses them.
// Each thread holds its own copy; CONFIG SET runs on every shard.

import { readFileSync } from 'node:fs';
import { INVALID_EVENT_CLASS, keyspaceEventsFromString, keyspaceEventsToString } from './pubsub/event-classes';

type Kind = 'bool' | 'int' | 'memory' | 'string' | 'enum' | 'special' | 'event-classes';

interface ParamDecl {
  name: string;
  kind: Kind;
  default: string;
  /** Alternative names (old ziplist spellings). */
  aliases?: string[];
  /** For 'enum': allowed values. */
  values?: string[];
  /** For 'int'/'memory': inclusive bounds. */
  min?: number;
  max?: number;
  /** Can't be changed with CONFIG SET. */
  immutable?: boolean;
  /** Not shown by CONFIG GET (and not settable), like Redis's sensitive/hidden configs. */
  hidden?: boolean;
}

const MAX_INT = Number.MAX_SAFE_INTEGER;

const PARAMS: ParamDecl[] = [
  { name: 'port', kind: 'int', default: '6379', min: 0, max: 65535, immutable: true },
  { name: 'bind', kind: 'string', default: '127.0.0.1', immutable: true },
  { name: 'databases', kind: 'int', default: '16', min: 1, max: 1_000_000, immutable: true },
  { name: 'threads', kind: 'int', default: '1', min: 1, max: 128, immutable: true },
  { name: 'requirepass', kind: 'string', default: '' },
  { name: 'loglevel', kind: 'enum', default: 'notice', values: ['debug', 'verbose', 'notice', 'warning', 'nothing'] },
  { name: 'logfile', kind: 'string', default: '', immutable: true },
  { name: 'protected-mode', kind: 'bool', default: 'yes' },
  { name: 'timeout', kind: 'int', default: '0', min: 0, max: MAX_INT },
  { name: 'tcp-keepalive', kind: 'int', default: '300', min: 0, max: MAX_INT },
  { name: 'tcp-backlog', kind: 'int', default: '511', min: 0, max: MAX_INT, immutable: true },
  { name: 'maxclients', kind: 'int', default: '10000', min: 1, max: MAX_INT },
  { name: 'maxmemory', kind: 'memory', default: '0', min: 0, max: MAX_INT },
  { name: 'maxmemory-policy', kind: 'enum', default: 'noeviction', values: ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction'] },
  { name: 'maxmemory-samples', kind: 'int', default: '5', min: 1, max: 64 },
  { name: 'maxmemory-clients', kind: 'memory', default: '0', min: 0, max: MAX_INT },
  { name: 'proto-max-bulk-len', kind: 'memory', default: '536870912', min: 1024 * 1024, max: MAX_INT },
  { name: 'client-query-buffer-limit', kind: 'memory', default: '1073741824', min: 1024 * 1024, max: MAX_INT },
  { name: 'client-output-buffer-limit', kind: 'string', default: 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60' },
  { name: 'hz', kind: 'int', default: '10', min: 0, max: MAX_INT },
  { name: 'dynamic-hz', kind: 'bool', default: 'yes' },
  { name: 'active-expire-effort', kind: 'int', default: '1', min: 1, max: 10 },
  { name: 'activerehashing', kind: 'bool', default: 'yes' },
  { name: 'lazyfree-lazy-eviction', kind: 'bool', default: 'no' },
  { name: 'lazyfree-lazy-expire', kind: 'bool', default: 'no' },
  { name: 'lazyfree-lazy-server-del', kind: 'bool', default: 'no' },
  { name: 'lazyfree-lazy-user-del', kind: 'bool', default: 'no' },
  { name: 'lazyfree-lazy-user-flush', kind: 'bool', default: 'no' },
  { name: 'notify-keyspace-events', kind: 'event-classes', default: '' },
  { name: 'save', kind: 'string', default: '' },
  { name: 'appendonly', kind: 'bool', default: 'no' },
  { name: 'appendfsync', kind: 'enum', default: 'everysec', values: ['always', 'everysec', 'no'] },
  { name: 'appendfilename', kind: 'string', default: 'appendonly.aof', immutable: true },
  { name: 'dir', kind: 'string', default: process.cwd() },
  { name: 'dbfilename', kind: 'string', default: 'dump.rdb' },
  { name: 'daemonize', kind: 'bool', default: 'no', immutable: true },
  { name: 'io-threads', kind: 'int', default: '1', min: 1, max: 128, immutable: true },
  { name: 'lua-time-limit', kind: 'int', default: '5000', min: 0, max: MAX_INT, aliases: ['busy-reply-threshold'] },
  { name: 'slowlog-log-slower-than', kind: 'int', default: '10000', min: -1, max: MAX_INT },
  { name: 'slowlog-max-len', kind: 'int', default: '128', min: 0, max: MAX_INT },
  { name: 'latency-monitor-threshold', kind: 'int', default: '0', min: 0, max: MAX_INT },
  { name: 'latency-tracking', kind: 'bool', default: 'yes' },
  { name: 'hash-max-listpack-entries', kind: 'int', default: '512', min: 0, max: MAX_INT, aliases: ['hash-max-ziplist-entries'] },
  { name: 'hash-max-listpack-value', kind: 'int', default: '64', min: 0, max: MAX_INT, aliases: ['hash-max-ziplist-value'] },
  { name: 'list-max-listpack-size', kind: 'int', default: '-2', min: -5, max: MAX_INT, aliases: ['list-max-ziplist-size'] },
  { name: 'list-compress-depth', kind: 'int', default: '0', min: 0, max: MAX_INT },
  { name: 'set-max-intset-entries', kind: 'int', default: '512', min: 0, max: MAX_INT },
  { name: 'zset-max-listpack-entries', kind: 'int', default: '128', min: 0, max: MAX_INT, aliases: ['zset-max-ziplist-entries'] },
  { name: 'zset-max-listpack-value', kind: 'int', default: '64', min: 0, max: MAX_INT, aliases: ['zset-max-ziplist-value'] },
  { name: 'stream-node-max-bytes', kind: 'memory', default: '4096', min: 0, max: MAX_INT },
  { name: 'stream-node-max-entries', kind: 'int', default: '100', min: 0, max: MAX_INT },
  { name: 'hll-sparse-max-bytes', kind: 'memory', default: '3000', min: 0, max: MAX_INT },
  { name: 'lfu-log-factor', kind: 'int', default: '10', min: 0, max: MAX_INT },
  { name: 'lfu-decay-time', kind: 'int', default: '1', min: 0, max: MAX_INT },
  { name: 'tracking-table-max-keys', kind: 'int', default: '1000000', min: 0, max: MAX_INT },
  { name: 'replica-read-only', kind: 'bool', default: 'yes', aliases: ['slave-read-only'] },
  { name: 'enable-debug-command', kind: 'enum', default: 'no', values: ['no', 'yes', 'local'], immutable: true },
  { name: 'enable-protected-configs', kind: 'enum', default: 'no', values: ['no', 'yes', 'local'], immutable: true },
  { name: 'unixsocket', kind: 'string', default: '', immutable: true },
];

export class ConfigError extends Error {}

export class Config {
  private readonly values = new Map<string, string>();
  private readonly byName = new Map<string, ParamDecl>();
  /** The config file loaded at startup (CONFIG REWRITE writes it back), or null. */
  file: string | null = null;

  constructor() {
    for (const p of PARAMS) {
      this.byName.set(p.name, p);
      for (const a of p.aliases ?? []) this.byName.set(a, p);
      this.values.set(p.name, p.default);
    }
  }

  has(name: string): boolean {
    return this.byName.has(name.toLowerCase());
  }

  string(name: string): string {
    return this.values.get(this.canonical(name))!;
  }

  numeric(name: string): number {
    return Number(this.values.get(this.canonical(name)));
  }

  bool(name: string): boolean {
    return this.values.get(this.canonical(name)) === 'yes';
  }

  /** Validates and stores a value; throws ConfigError with Redis's reason text. */
  set(name: string, raw: string, fromStartup = false): void {
    const p = this.byName.get(name.toLowerCase());
    if (!p || p.hidden) throw new ConfigError('unknown');
    if (p.immutable && !fromStartup) throw new ConfigError("can't set immutable config");
    this.values.set(p.name, normalize(p, raw));
  }

  /** Validates without storing (CONFIG SET checks every pair before applying any). */
  validate(name: string, raw: string): void {
    const p = this.byName.get(name.toLowerCase());
    if (!p || p.hidden) throw new ConfigError('unknown');
    if (p.immutable) throw new ConfigError("can't set immutable config");
    normalize(p, raw);
  }

  /** A visible parameter's canonical name (aliases resolved), default and mutability; null when unknown. */
  describe(name: string): { canonical: string; default: string; immutable: boolean } | null {
    const p = this.byName.get(name.toLowerCase());
    if (!p || p.hidden) return null;
    return { canonical: p.name, default: p.default, immutable: p.immutable === true };
  }

  /** [name, value] pairs of every visible parameter (aliases included, as in Redis), for CONFIG GET. */
  entries(): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (const [name, p] of this.byName) if (!p.hidden) out.push([name, this.values.get(p.name)!]);
    return out;
  }

  /** Loads a redis.conf-style file: `directive value...` per line, '#' comments. */
  loadFile(path: string): void {
    const text = readFileSync(path, 'utf8');
    this.file = path;
    let lineNo = 0;
    for (const line of text.split(/\r?\n/)) {
      lineNo++;
      const trimmed = line.trim();
      if (trimmed === '' || trimmed.startsWith('#')) continue;
      const [directive, ...rest] = splitConfigLine(trimmed);
      try {
        this.set(directive, rest.join(' '), true);
      } catch (e) {
        const why = e instanceof ConfigError && e.message !== 'unknown' ? e.message : 'Bad directive or wrong number of arguments';
        throw new Error(`*** FATAL CONFIG FILE ERROR *** line ${lineNo}: '${trimmed}': ${why}`);
      }
    }
  }

  private canonical(name: string): string {
    const p = this.byName.get(name);
    if (!p) throw new Error(`unknown config parameter ${name}`);
    return p.name;
  }
}

function splitConfigLine(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:\\.|[^"\\])*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line))) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

const MEMORY_UNITS: Record<string, number> = {
  '': 1, b: 1, k: 1000, kb: 1024, m: 1000 ** 2, mb: 1024 ** 2, g: 1000 ** 3, gb: 1024 ** 3,
};

/** Parses Redis memory values ("1gb", "100mb", "512"); null if invalid. */
export function parseMemory(raw: string): number | null {
  const m = /^(-?\d+)([a-z]*)$/i.exec(raw);
  if (!m) return null;
  const unit = MEMORY_UNITS[m[2].toLowerCase()];
  return unit === undefined ? null : Number(m[1]) * unit;
}

function normalize(p: ParamDecl, raw: string): string {
  switch (p.kind) {
    case 'bool': {
      const v = raw.toLowerCase();
      if (v !== 'yes' && v !== 'no') throw new ConfigError("argument must be 'yes' or 'no'");
      return v;
    }
    case 'enum': {
      const v = raw.toLowerCase();
      if (!p.values!.includes(v)) throw new ConfigError(`argument(s) must be one of the following: ${p.values!.join(', ')}`);
      return v;
    }
    case 'int':
    case 'memory': {
      // Memory values are unsigned in Redis: a minus sign makes them unparsable rather than out of range.
      const n = p.kind === 'memory' ? (raw.startsWith('-') ? null : parseMemory(raw)) : /^-?\d+$/.test(raw) ? Number(raw) : null;
      if (n === null) throw new ConfigError(p.kind === 'memory' ? 'argument must be a memory value' : "argument couldn't be parsed into an integer");
      if (n < (p.min ?? -MAX_INT) || n > (p.max ?? MAX_INT)) {
        throw new ConfigError(`argument must be between ${p.min} and ${p.max} inclusive`);
      }
      return String(n);
    }
    case 'event-classes': {
      // Stored in canonical spelling, which is what CONFIG GET shows.
      const classes = keyspaceEventsFromString(raw);
      if (classes < 0) throw new ConfigError(INVALID_EVENT_CLASS);
      return keyspaceEventsToString(classes);
    }
    default:
      return raw;
  }
}

/** This thread's configuration. */
export const config = new Config();
