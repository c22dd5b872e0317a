// INFO, and the server-wide statistics it reports. Each thread counts its own
// clients and commands and each shard its own keys and memory; on a server
// with several threads a coordinator collects every shard's snapshot (the
// internal __stats command) and sums them, so INFO shows the whole server.
// It needs no frozen shards: INFO runs on every thread with route 'threads'.

import { createHash } from 'node:crypto';
import { scriptEngine } from '../../scripting/engine';
import { functionRegistry } from '../../scripting/functions';
import os from 'node:os';
import v8 from 'node:v8';
import { command, type CommandDecl, type Coordinator, type ExecContext, type Handler } from '../../dispatch/command';
import type { Dispatcher } from '../../dispatch/dispatcher';
import { bulkOf } from '../../dispatch/resp-scan';
import type { ReplyWriter } from '../../protocol/reply';
import { config } from '../../config';
import { REDIS_VERSION, SERVER_VERSION } from '../../version';
import { onEveryShard } from './client';

/** Counters of one thread and its shard; summed field by field across threads. */
export interface StatsSnapshot {
  clients: number;
  connectionsReceived: number;
  rejectedConnections: number;
  commandsProcessed: number;
  errorReplies: number;
  netInputBytes: number;
  netOutputBytes: number;
  maxInputBuffer: number;
  maxOutputBuffer: number;
  keyspaceHits: number;
  keyspaceMisses: number;
  expiredKeys: number;
  evictedKeys: number;
  /** Clients with CLIENT TRACKING on, and the shard's tracking table: keys, readers, BCAST prefixes. */
  trackingClients: number;
  trackingKeys: number;
  trackingItems: number;
  trackingPrefixes: number;
  /** Blocked calls registered on the shard (each blocked client is registered on exactly one shard). */
  blockedClients: number;
  /** V8 heap in use by the thread. */
  heapBytes: number;
  /** Slab bytes reserved by the shard's store. */
  storeBytes: number;
  /** Bytes of live records in the shard's store. */
  datasetBytes: number;
  opsPerSec: number;
  /** Per database: keys, then keys with an expire. */
  keyspace: number[];
  /** fullName → [calls, usec, rejected, failed]. */
  commandStats: Record<string, [number, number, number, number]>;
}

/** Per-thread state for instantaneous_ops_per_sec: the rate between two INFO calls at least 100 ms apart. */
const opsSample = { at: 0, commands: 0, rate: 0 };
const OPS_SAMPLE_MIN_MS = 100;

/** This thread's counters. */
function localSnapshot(dispatcher: Dispatcher): StatsSnapshot {
  const shard = dispatcher.shard;
  let netIn = 0;
  let netOut = 0;
  let maxIn = 0;
  let maxOut = 0;
  for (const c of dispatcher.clients.values()) {
    netIn += c.bytesIn;
    netOut += c.bytesOut;
    maxIn = Math.max(maxIn, c.parser.pending);
    maxOut = Math.max(maxOut, c.reply.len + c.pendingOutputBytes);
  }
  const now = Date.now();
  const commands = dispatcher.stats.commands;
  if (opsSample.at === 0) opsSample.at = dispatcher.startTime;
  if (now - opsSample.at >= OPS_SAMPLE_MIN_MS) {
    opsSample.rate = Math.max(0, Math.round(((commands - opsSample.commands) * 1000) / (now - opsSample.at)));
    opsSample.at = now;
    opsSample.commands = commands;
  }
  const keyspace: number[] = [];
  for (const db of shard.dbs) keyspace.push(db.size, db.expiresCount);
  const commandStats: StatsSnapshot['commandStats'] = {};
  for (const cmd of dispatcher.table.visible()) {
    for (const c of cmd.subcommandMap?.values() ?? [cmd]) {
      if (c.stats.calls > 0 || c.stats.rejected > 0 || c.stats.failed > 0) {
        commandStats[c.fullName] = [c.stats.calls, c.stats.usec, c.stats.rejected, c.stats.failed];
      }
    }
  }
  return {
    clients: dispatcher.clients.size,
    connectionsReceived: dispatcher.stats.connections,
    rejectedConnections: dispatcher.stats.rejectedConnections,
    commandsProcessed: commands,
    errorReplies: dispatcher.stats.errorReplies,
    netInputBytes: netIn,
    netOutputBytes: netOut,
    maxInputBuffer: maxIn,
    maxOutputBuffer: maxOut,
    keyspaceHits: shard.stats.keyspaceHits,
    keyspaceMisses: shard.stats.keyspaceMisses,
    expiredKeys: shard.stats.expiredKeys,
    evictedKeys: shard.stats.evictedKeys,
    trackingClients: dispatcher.tracking.clientCount,
    trackingKeys: dispatcher.tracking.keyCount,
    trackingItems: dispatcher.tracking.itemCount,
    trackingPrefixes: dispatcher.tracking.prefixCount,
    blockedClients: shard.blocking.blockedCount + (dispatcher.links?.crossBlockedCount ?? 0),
    heapBytes: v8.getHeapStatistics().used_heap_size,
    storeBytes: shard.heap.bytesReserved,
    datasetBytes: shard.heap.bytesUsed,
    opsPerSec: opsSample.rate,
    keyspace,
    commandStats,
  };
}

/** Adds b into a (counters summed; the largest buffers kept). */
function addSnapshot(a: StatsSnapshot, b: StatsSnapshot): StatsSnapshot {
  const maxIn = Math.max(a.maxInputBuffer, b.maxInputBuffer);
  const maxOut = Math.max(a.maxOutputBuffer, b.maxOutputBuffer);
  for (const k of Object.keys(a) as Array<keyof StatsSnapshot>) {
    if (typeof a[k] === 'number') (a[k] as number) += b[k] as number;
  }
  a.maxInputBuffer = maxIn;
  a.maxOutputBuffer = maxOut;
  b.keyspace.forEach((n, i) => (a.keyspace[i] += n));
  for (const [name, s] of Object.entries(b.commandStats)) {
    const mine = a.commandStats[name];
    if (mine) for (let i = 0; i < 4; i++) mine[i] += s[i];
    else a.commandStats[name] = s;
  }
  return a;
}

/** Zeroes the statistics CONFIG RESETSTAT resets, on this thread and its shard. */
export function resetStats(dispatcher: Dispatcher): void {
  const s = dispatcher.stats;
  s.commands = s.connections = s.rejectedConnections = s.errorReplies = 0;
  const shard = dispatcher.shard.stats;
  shard.keyspaceHits = shard.keyspaceMisses = shard.expiredKeys = shard.evictedKeys = 0;
  for (const cmd of dispatcher.table.byName.values()) {
    for (const c of [cmd, ...(cmd.subcommandMap?.values() ?? [])]) {
      c.stats.calls = c.stats.usec = c.stats.rejected = c.stats.failed = 0;
    }
  }
  opsSample.at = Date.now();
  opsSample.commands = 0;
  opsSample.rate = 0;
}

const STATS_SHARD = [Buffer.from('__stats')];

/** Renders a reply from server-wide statistics; argv is the command's. */
export type StatsRenderer = (r: ReplyWriter, argv: Buffer[], stats: StatsSnapshot) => void;

/**
 * Handler and coordinator for a command that reports server-wide statistics:
 * on one thread the local counters are the server's; with several, every shard's
 * snapshot is summed. Use with route 'threads' (per-thread counters: nothing to freeze).
 */
export function statsCommand(render: StatsRenderer): { handler: Handler; coordinate: Coordinator } {
  return {
    handler: (ctx, argv) => render(ctx.reply, argv, localSnapshot(ctx.dispatcher)),
    coordinate: async (tx, argv, reply) => {
      const parts = await onEveryShard(tx, STATS_SHARD);
      const snapshots = parts.map((p) => JSON.parse(bulkOf(p)!.toString('utf8')) as StatsSnapshot);
      render(reply, argv, snapshots.reduce(addSnapshot));
    },
  };
}

// ---- process facts ------------------------------------------------------------

/** Process start in ms: performance.timeOrigin is the same on every thread. */
export const PROCESS_START_MS = Math.round(performance.timeOrigin);
/** 40 hex digits identifying this process run, identical on every thread. */
const RUN_ID = createHash('sha1').update(`${process.pid}:${performance.timeOrigin}`).digest('hex');
const BUILD_ID = createHash('sha1').update(SERVER_VERSION).digest('hex').slice(0, 15);
const OS_NAME = `${os.type()} ${os.release()} ${os.machine()}`;

/** Redis's bytesToHuman. */
export function bytesToHuman(n: number): string {
  const units = ['K', 'M', 'G', 'T', 'P'];
  if (n < 1024) return `${n}B`;
  let d = n / 1024;
  for (const unit of units) {
    if (d < 1024) return `${d.toFixed(2)}${unit}`;
    d /= 1024;
  }
  return `${n}B`;
}

/** Peak of used_memory seen by this thread's INFO / MEMORY STATS. */
let peakMemory = 0;

function usedMemory(stats: StatsSnapshot): number {
  const used = stats.heapBytes + stats.storeBytes;
  peakMemory = Math.max(peakMemory, used);
  return used;
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '0.00' : ((part * 100) / whole).toFixed(2);
}

// ---- INFO sections -------------------------------------------------------------

type Section = (stats: StatsSnapshot) => string;

function fields(pairs: Array<[string, string | number]>): string {
  let out = '';
  for (const [k, v] of pairs) out += `${k}:${v}\r\n`;
  return out;
}

const serverSection: Section = () => {
  const uptime = Math.floor((Date.now() - PROCESS_START_MS) / 1000);
  return fields([
    ['redis_version', REDIS_VERSION],
    ['redis_git_sha1', '00000000'],
    ['redis_git_dirty', 0],
    ['redis_build_id', BUILD_ID],
    ['redis_mode', 'standalone'],
    ['os', OS_NAME],
    ['arch_bits', process.arch.endsWith('64') ? 64 : 32],
    ['monotonic_clock', 'POSIX clock_gettime'],
    ['multiplexing_api', 'epoll'],
    ['atomicvar_api', 'c11-builtin'],
    ['gcc_version', '0.0.0'],
    ['process_id', process.pid],
    ['process_supervised', 'no'],
    ['run_id', RUN_ID],
    ['tcp_port', config.numeric('port')],
    ['server_time_usec', Math.floor((performance.timeOrigin + performance.now()) * 1000)],
    ['uptime_in_seconds', uptime],
    ['uptime_in_days', Math.floor(uptime / 86400)],
    ['hz', config.numeric('hz')],
    ['configured_hz', config.numeric('hz')],
    ['lru_clock', Math.floor(Date.now() / 1000) & 0xffffff],
    ['executable', process.argv[1] ?? ''],
    ['config_file', config.file ?? ''],
    ['io_threads_active', 0],
    ['nodefly_version', SERVER_VERSION],
    ['shard_threads', config.numeric('threads')],
  ]);
};

const clientsSection: Section = (s) =>
  fields([
    ['connected_clients', s.clients],
    ['cluster_connections', 0],
    ['maxclients', config.numeric('maxclients')],
    ['client_recent_max_input_buffer', s.maxInputBuffer],
    ['client_recent_max_output_buffer', s.maxOutputBuffer],
    ['blocked_clients', s.blockedClients],
    ['tracking_clients', s.trackingClients],
    ['clients_in_timeout_table', 0],
  ]);

const memorySection: Section = (s) => {
  const used = usedMemory(s);
  const rss = process.memoryUsage.rss();
  const total = os.totalmem();
  const maxmemory = config.numeric('maxmemory');
  const scripts = scriptEngine();
  const functions = functionRegistry();
  return fields([
    ['used_memory', used],
    ['used_memory_human', bytesToHuman(used)],
    ['used_memory_rss', rss],
    ['used_memory_rss_human', bytesToHuman(rss)],
    ['used_memory_peak', peakMemory],
    ['used_memory_peak_human', bytesToHuman(peakMemory)],
    ['used_memory_peak_perc', `${percent(used, peakMemory)}%`],
    ['used_memory_overhead', used - s.datasetBytes],
    ['used_memory_startup', 0],
    ['used_memory_dataset', s.datasetBytes],
    ['used_memory_dataset_perc', `${percent(s.datasetBytes, used)}%`],
    ['allocator_allocated', used],
    ['allocator_active', used],
    ['allocator_resident', rss],
    ['total_system_memory', total],
    ['total_system_memory_human', bytesToHuman(total)],
    ['used_memory_lua', 0],
    ['used_memory_vm_eval', 0],
    ['used_memory_lua_human', '0B'],
    ['used_memory_scripts_eval', scripts.cacheBytes],
    ['number_of_cached_scripts', scripts.scripts.size],
    ['number_of_functions', functions.functionCount],
    ['number_of_libraries', functions.libraries.size],
    ['used_memory_vm_functions', 0],
    ['used_memory_vm_total', 0],
    ['used_memory_vm_total_human', '0B'],
    ['used_memory_functions', 0],
    ['used_memory_scripts', 0],
    ['used_memory_scripts_human', '0B'],
    ['maxmemory', maxmemory],
    ['maxmemory_human', bytesToHuman(maxmemory)],
    ['maxmemory_policy', config.string('maxmemory-policy')],
    ['allocator_frag_ratio', '1.00'],
    ['allocator_frag_bytes', 0],
    ['allocator_rss_ratio', (rss / Math.max(used, 1)).toFixed(2)],
    ['allocator_rss_bytes', rss - used],
    ['rss_overhead_ratio', '1.00'],
    ['rss_overhead_bytes', 0],
    ['mem_fragmentation_ratio', (rss / Math.max(used, 1)).toFixed(2)],
    ['mem_fragmentation_bytes', rss - used],
    ['mem_not_counted_for_evict', 0],
    ['mem_replication_backlog', 0],
    ['mem_total_replication_buffers', 0],
    ['mem_clients_slaves', 0],
    ['mem_clients_normal', 0],
    ['mem_cluster_links', 0],
    ['mem_aof_buffer', 0],
    ['mem_allocator', `node-${process.versions.node}`],
    ['active_defrag_running', 0],
    ['lazyfree_pending_objects', 0],
    ['lazyfreed_objects', 0],
  ]);
};

/** No persistence: the values of a server that never saved and has nothing to save. */
const persistenceSection: Section = () =>
  fields([
    ['loading', 0],
    ['async_loading', 0],
    ['current_cow_peak', 0],
    ['current_cow_size', 0],
    ['current_cow_size_age', 0],
    ['current_fork_perc', '0.00'],
    ['current_save_keys_processed', 0],
    ['current_save_keys_total', 0],
    ['rdb_changes_since_last_save', 0],
    ['rdb_bgsave_in_progress', 0],
    ['rdb_last_save_time', Math.floor(PROCESS_START_MS / 1000)],
    ['rdb_last_bgsave_status', 'ok'],
    ['rdb_last_bgsave_time_sec', -1],
    ['rdb_current_bgsave_time_sec', -1],
    ['rdb_saves', 0],
    ['rdb_last_cow_size', 0],
    ['rdb_last_load_keys_expired', 0],
    ['rdb_last_load_keys_loaded', 0],
    ['aof_enabled', 0],
    ['aof_rewrite_in_progress', 0],
    ['aof_rewrite_scheduled', 0],
    ['aof_last_rewrite_time_sec', -1],
    ['aof_current_rewrite_time_sec', -1],
    ['aof_last_bgrewrite_status', 'ok'],
    ['aof_rewrites', 0],
    ['aof_rewrites_consecutive_failures', 0],
    ['aof_last_write_status', 'ok'],
    ['aof_last_cow_size', 0],
    ['module_fork_in_progress', 0],
    ['module_fork_last_cow_size', 0],
  ]);

const statsSection: Section = (s) =>
  fields([
    ['total_connections_received', s.connectionsReceived],
    ['total_commands_processed', s.commandsProcessed],
    ['instantaneous_ops_per_sec', s.opsPerSec],
    ['total_net_input_bytes', s.netInputBytes],
    ['total_net_output_bytes', s.netOutputBytes],
    ['total_net_repl_input_bytes', 0],
    ['total_net_repl_output_bytes', 0],
    ['instantaneous_input_kbps', '0.00'],
    ['instantaneous_output_kbps', '0.00'],
    ['instantaneous_input_repl_kbps', '0.00'],
    ['instantaneous_output_repl_kbps', '0.00'],
    ['rejected_connections', s.rejectedConnections],
    ['sync_full', 0],
    ['sync_partial_ok', 0],
    ['sync_partial_err', 0],
    ['expired_keys', s.expiredKeys],
    ['expired_stale_perc', '0.00'],
    ['expired_time_cap_reached_count', 0],
    ['expire_cycle_cpu_milliseconds', 0],
    ['evicted_keys', s.evictedKeys],
    ['evicted_clients', 0],
    ['total_eviction_exceeded_time', 0],
    ['current_eviction_exceeded_time', 0],
    ['keyspace_hits', s.keyspaceHits],
    ['keyspace_misses', s.keyspaceMisses],
    ['pubsub_channels', 0],
    ['pubsub_patterns', 0],
    ['pubsubshard_channels', 0],
    ['latest_fork_usec', 0],
    ['total_forks', 0],
    ['migrate_cached_sockets', 0],
    ['slave_expires_tracked_keys', 0],
    ['active_defrag_hits', 0],
    ['active_defrag_misses', 0],
    ['active_defrag_key_hits', 0],
    ['active_defrag_key_misses', 0],
    ['total_active_defrag_time', 0],
    ['current_active_defrag_time', 0],
    ['tracking_total_keys', s.trackingKeys],
    ['tracking_total_items', s.trackingItems],
    ['tracking_total_prefixes', s.trackingPrefixes],
    ['unexpected_error_replies', 0],
    ['total_error_replies', s.errorReplies],
    ['dump_payload_sanitizations', 0],
    ['total_reads_processed', 0],
    ['total_writes_processed', 0],
    ['io_threaded_reads_processed', 0],
    ['io_threaded_writes_processed', 0],
    ['reply_buffer_shrinks', 0],
    ['reply_buffer_expands', 0],
  ]);

const replicationSection: Section = () =>
  fields([
    ['role', 'master'],
    ['connected_slaves', 0],
    ['master_failover_state', 'no-failover'],
    ['master_replid', RUN_ID],
    ['master_replid2', '0'.repeat(40)],
    ['master_repl_offset', 0],
    ['second_repl_offset', -1],
    ['repl_backlog_active', 0],
    ['repl_backlog_size', 1048576],
    ['repl_backlog_first_byte_offset', 0],
    ['repl_backlog_histlen', 0],
  ]);

const cpuSection: Section = () => {
  const cpu = process.cpuUsage();
  const sys = (cpu.system / 1e6).toFixed(6);
  const user = (cpu.user / 1e6).toFixed(6);
  return fields([
    ['used_cpu_sys', sys],
    ['used_cpu_user', user],
    ['used_cpu_sys_children', '0.000000'],
    ['used_cpu_user_children', '0.000000'],
    ['used_cpu_sys_main_thread', sys],
    ['used_cpu_user_main_thread', user],
  ]);
};

const commandStatsSection: Section = (s) => {
  let out = '';
  for (const [name, [calls, usec, rejected, failed]] of Object.entries(s.commandStats)) {
    const micros = Math.round(usec);
    out += `cmdstat_${name}:calls=${calls},usec=${micros},usec_per_call=${calls === 0 ? '0.00' : (micros / calls).toFixed(2)},rejected_calls=${rejected},failed_calls=${failed}\r\n`;
  }
  return out;
};

const keyspaceSection: Section = (s) => {
  let out = '';
  for (let db = 0; db * 2 < s.keyspace.length; db++) {
    const keys = s.keyspace[db * 2];
    const expires = s.keyspace[db * 2 + 1];
    if (keys || expires) out += `db${db}:keys=${keys},expires=${expires},avg_ttl=0\r\n`;
  }
  return out;
};

const empty: Section = () => '';

/** Every section in Redis's order: [name INFO takes, header, renderer, part of the default set]. */
const SECTIONS: ReadonlyArray<[string, string, Section, boolean]> = [
  ['server', 'Server', serverSection, true],
  ['clients', 'Clients', clientsSection, true],
  ['memory', 'Memory', memorySection, true],
  ['persistence', 'Persistence', persistenceSection, true],
  ['stats', 'Stats', statsSection, true],
  ['replication', 'Replication', replicationSection, true],
  ['cpu', 'CPU', cpuSection, true],
  ['modules', 'Modules', empty, true],
  ['commandstats', 'Commandstats', commandStatsSection, false],
  ['errorstats', 'Errorstats', empty, true],
  ['latencystats', 'Latencystats', empty, false],
  ['cluster', 'Cluster', () => fields([['cluster_enabled', 0]]), true],
  ['keyspace', 'Keyspace', keyspaceSection, true],
];

/** The INFO text for the sections argv asks for (INFO [section ...], with default/all/everything). */
function infoText(argv: Buffer[], stats: StatsSnapshot): string {
  const wanted = new Set<string>();
  let all = false;
  if (argv.length === 1) wanted.add('default');
  for (let i = 1; i < argv.length; i++) {
    const name = argv[i].toString('latin1').toLowerCase();
    if (name === 'all' || name === 'everything') all = true;
    else wanted.add(name === 'module_list' ? 'modules' : name);
  }
  const parts: string[] = [];
  for (const [name, header, render, isDefault] of SECTIONS) {
    if (all || wanted.has(name) || (isDefault && wanted.has('default'))) parts.push(`# ${header}\r\n${render(stats)}`);
  }
  return parts.join('\r\n');
}

const info = statsCommand((r, argv, stats) => r.verbatim(infoText(argv, stats)));

/** MEMORY STATS: the main figures of Redis's report. */
export const memoryStats = statsCommand((r, _argv, s) => {
  const used = usedMemory(s);
  const rss = process.memoryUsage.rss();
  let keys = 0;
  for (let i = 0; i < s.keyspace.length; i += 2) keys += s.keyspace[i];
  const overhead = used - s.datasetBytes;
  const pairs: Array<[string, number, boolean]> = [
    ['peak.allocated', peakMemory, false],
    ['total.allocated', used, false],
    ['startup.allocated', 0, false],
    ['replication.backlog', 0, false],
    ['clients.slaves', 0, false],
    ['clients.normal', 0, false],
    ['cluster.links', 0, false],
    ['aof.buffer', 0, false],
    ['lua.caches', 0, false],
    ['functions.caches', 0, false],
    ['overhead.total', overhead, false],
    ['keys.count', keys, false],
    ['keys.bytes-per-key', keys === 0 ? 0 : Math.floor(used / keys), false],
    ['dataset.bytes', s.datasetBytes, false],
    ['dataset.percentage', used === 0 ? 0 : (s.datasetBytes * 100) / used, true],
    ['peak.percentage', peakMemory === 0 ? 0 : (used * 100) / peakMemory, true],
    ['fragmentation', rss / Math.max(used, 1), true],
    ['fragmentation.bytes', rss - used, false],
  ];
  r.map(pairs.length);
  for (const [name, value, isDouble] of pairs) {
    r.bulkString(name);
    if (isDouble) r.double(value);
    else r.int(value);
  }
});

/**
 * MEMORY DOCTOR: Redis's reports for an (almost) empty instance and for one without issues.
 * "Empty" looks at the stored data only: the runtime's own heap is several MB from the start.
 */
export const memoryDoctor = statsCommand((r, _argv, s) => {
  r.verbatim(
    s.datasetBytes < 5 * 1024 * 1024
      ? "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.\n"
      : "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n",
  );
});

/** Shard side of every stats command: this thread's snapshot, as JSON in a bulk string. */
function statsShard(ctx: ExecContext): void {
  ctx.reply.bulkString(JSON.stringify(localSnapshot(ctx.dispatcher)));
}

export const infoCommands: CommandDecl[] = [
  command({
    name: 'info', arity: -1, flags: ['loading', 'stale'], keys: [0, 0, 0], acl: ['slow', 'dangerous'], group: 'server',
    summary: 'Get information and statistics about the server', since: '1.0.0', complexity: 'O(1)',
    tips: ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'],
    route: 'threads', ...info,
  }),
  command({ name: '__stats', arity: 1, flags: [], keys: [0, 0, 0], acl: [], group: 'server', summary: '', since: '', internal: true, handler: statsShard }),
];
