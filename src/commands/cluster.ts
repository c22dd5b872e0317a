// CLUSTER, as a Redis 7.0 server without cluster support answers it: every subcommand
// (HELP included) replies that cluster support is disabled. Declared so that clients probing
// for a cluster get Redis's answer, and scripts get Redis's refusal of CLUSTER RESET.

import { command, type CommandDecl, type ExecContext } from '../dispatch/command';

function clusterDisabled(ctx: ExecContext): void {
  ctx.reply.error('ERR This instance has cluster support disabled');
}

const SUB = { keys: [0, 0, 0], group: 'cluster', route: 'client', handler: clusterDisabled } as const;
const READ = { ...SUB, flags: ['stale'], acl: ['slow'] } as const;
const NODES = 'O(N) where N is the total number of Cluster nodes';

export const clusterCommands: CommandDecl[] = [
  command({
    name: 'cluster', arity: -2, flags: [], keys: [0, 0, 0], acl: ['slow'], group: 'cluster', summary: 'A container for cluster commands', since: '3.0.0', complexity: 'Depends on subcommand.',
    subcommands: [
      command({ name: 'info', arity: 2, ...READ, summary: 'Provides info about Redis Cluster node state', since: '3.0.0', complexity: 'O(1)', tips: ['nondeterministic_output'] }),
      command({ name: 'keyslot', arity: 3, ...READ, summary: 'Returns the hash slot of the specified key', since: '3.0.0', complexity: 'O(N) where N is the number of bytes in the key' }),
      command({ name: 'nodes', arity: 2, ...READ, summary: 'Get Cluster config for the node', since: '3.0.0', complexity: NODES, tips: ['nondeterministic_output'] }),
      command({ name: 'slots', arity: 2, ...READ, summary: 'Get array of Cluster slot to node mappings', since: '3.0.0', complexity: NODES, tips: ['nondeterministic_output'] }),
      command({ name: 'shards', arity: 2, ...READ, summary: 'Get array of cluster slots to node mappings', since: '7.0.0', complexity: 'O(N) where N is the total number of cluster nodes', tips: ['nondeterministic_output'] }),
      command({ name: 'myid', arity: 2, ...READ, summary: 'Return the node id', since: '3.0.0', complexity: 'O(1)' }),
      command({ name: 'links', arity: 2, ...READ, summary: 'Returns a list of all TCP links to and from peer nodes in cluster', since: '7.0.0', complexity: NODES, tips: ['nondeterministic_output'] }),
      command({ name: 'countkeysinslot', arity: 3, ...READ, summary: 'Return the number of local keys in the specified hash slot', since: '3.0.0', complexity: 'O(1)' }),
      command({ name: 'getkeysinslot', arity: 4, ...READ, summary: 'Return local key names in the specified hash slot', since: '3.0.0', complexity: 'O(log(N)) where N is the number of requested keys', tips: ['nondeterministic_output'] }),
      command({ name: 'reset', arity: -2, ...SUB, flags: ['admin', 'noscript', 'stale'], acl: ['admin', 'slow', 'dangerous'], summary: 'Reset a Redis Cluster node', since: '3.0.0', complexity: 'O(N) where N is the number of known nodes. The command may execute a FLUSHALL as a side effect.' }),
      command({ name: 'help', arity: 2, ...SUB, flags: ['loading', 'stale'], acl: ['slow'], summary: 'Show helpful text about the different subcommands', since: '5.0.0', complexity: 'O(1)' }),
    ],
  }),
];
