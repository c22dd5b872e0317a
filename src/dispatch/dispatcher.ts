// Per-thread command dispatch: look the command up, check it as Redis's
// processCommand does, then run it on the shard that owns its keys: inline
// when that is this thread's shard, through a hop otherwise.

import type { Logger } from 'pino';
import type { Command, ExecContext } from './command';
import { CommandTable } from './registry';
import type { Shard } from '../shard/shard';
import type { Client } from '../net/client';
import { ClientFlag } from '../net/client';
import { allFamilies } from '../commands';
import { config } from '../config';
import type { ShardLinks } from './links';
import type { ReplyWriter } from '../protocol/reply';

export class Dispatcher {
  readonly table = new CommandTable(allFamilies);
  readonly clients = new Map<number, Client>();
  /** Reused for every local execution, so running a command allocates no context. */
  private readonly ctx: ExecContext;
  /** Set while a command runs, for handlers that change connection state. */
  startTime = Date.now();
  stats = { commands: 0, connections: 0, rejectedConnections: 0, errorReplies: 0 };

  constructor(
    readonly shard: Shard,
    readonly threadCount: number,
    readonly log: Logger,
    readonly links: ShardLinks | null,
  ) {
    this.ctx = { shard, db: shard.dbs[0], dbIndex: 0, reply: null!, now: 0, client: null, dispatcher: this };
  }

  addClient(client: Client): void {
    this.clients.set(client.id, client);
    this.stats.connections++;
  }

  clientClosed(client: Client): void {
    this.clients.delete(client.id);
  }

  /** The command (or subcommand) an already-checked argv names. */
  lookupChecked(argv: Buffer[]): Command | undefined {
    const cmd = this.table.lookup(argv[0]);
    if (cmd === undefined || cmd.subcommandMap === null || argv.length < 2) return cmd;
    return cmd.subcommandMap.get(argv[1].latin1Slice(0, argv[1].length).toLowerCase());
  }

  /** Runs one parsed command for a client; its reply goes to client.reply. */
  execute(client: Client, argv: Buffer[]): void {
    let cmd = this.table.lookup(argv[0]);
    if (cmd !== undefined && cmd.internal) cmd = undefined;
    if (cmd !== undefined && cmd.subcommandMap !== null && argv.length >= 2) {
      const sub = cmd.subcommandMap.get(argv[1].latin1Slice(0, argv[1].length).toLowerCase());
      if (sub === undefined) {
        this.reject(client, `ERR unknown subcommand '${clip(argv[1])}'. Try ${argv[0].toString('latin1').toUpperCase()} HELP.`);
        return;
      }
      cmd = sub;
    }
    if (cmd === undefined) {
      this.reject(client, unknownCommandError(argv));
      return;
    }
    if ((cmd.arity > 0 && cmd.arity !== argv.length) || argv.length < -cmd.arity) {
      this.reject(client, `ERR wrong number of arguments for '${cmd.fullName}' command`);
      return;
    }
    if (!client.authenticated && !cmd.flags.includes('no_auth')) {
      this.reject(client, 'NOAUTH Authentication required.');
      return;
    }
    client.lastCommand = cmd.fullName;
    this.stats.commands++;
    const start = performance.now();
    // Even connection-local commands go through the links on a multi-shard server, so they
    // wait behind the client's commands still in flight to other shards.
    if (this.threadCount === 1) {
      this.runLocal(cmd, client, argv);
    } else {
      this.links!.route(cmd, client, argv);
    }
    cmd.stats.calls++;
    cmd.stats.usec += (performance.now() - start) * 1000;
  }

  /** Runs a command on this thread's shard, replying to the client. */
  runLocal(cmd: Command, client: Client, argv: Buffer[]): void {
    this.runOn(cmd, client.dbIndex, client.reply, client, argv);
  }

  /** Runs a command's handler on this thread's shard with an explicit database and reply buffer. */
  runOn(cmd: Command, dbIndex: number, reply: ReplyWriter, client: Client | null, argv: Buffer[]): void {
    const ctx = this.ctx;
    ctx.db = this.shard.dbs[dbIndex];
    ctx.dbIndex = dbIndex;
    ctx.reply = reply;
    ctx.now = Date.now();
    ctx.client = client;
    cmd.handler!(ctx, argv);
    ctx.client = null;
  }

  private reject(client: Client, message: string): void {
    this.stats.errorReplies++;
    client.reply.error(message);
  }

  /** Drops per-connection state kept outside the client (transactions, subscriptions) on RESET. */
  resetClientState(_client: Client): void {}

  /** Closes every client (shutdown). */
  closeAll(): void {
    for (const c of this.clients.values()) {
      c.flags |= ClientFlag.CloseAfterReply;
      c.close();
    }
  }

  configChanged(): void {
    const maxBulk = config.numeric('proto-max-bulk-len');
    for (const c of this.clients.values()) c.parser.limits.maxBulkLen = maxBulk;
  }
}

/** argv[i] as Redis prints it in errors: at most 128 bytes, CR/LF turned into spaces. */
function clip(arg: Buffer, max = 128): string {
  return arg.toString('latin1', 0, Math.min(arg.length, max));
}

function unknownCommandError(argv: Buffer[]): string {
  let args = '';
  for (let i = 1; i < argv.length && args.length < 128; i++) args += `'${clip(argv[i], 128 - args.length)}' `;
  return `ERR unknown command '${clip(argv[0])}', with args beginning with: ${args}`;
}
