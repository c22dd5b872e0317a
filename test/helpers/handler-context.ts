// Handler-level tests: a command's handler called directly on a one-thread
// shard, without a server, a client or a dispatcher.

import assert from 'node:assert/strict';
import type { CommandDecl, ExecContext } from '../../src/dispatch/command';
import { ReplyWriter } from '../../src/protocol/reply';
import { Shard } from '../../src/shard/shard';
import type { Keyspace } from '../../src/store/keyspace';
import { NO_EXPIRE, ValueType } from '../../src/store/types';

export const WRONGTYPE = '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n';

/** Runs handlers of one family's `commands` on db 0 of its own shard. */
export class HandlerHarness {
  readonly shard = new Shard(0, 1);
  readonly db: Keyspace = this.shard.dbs[0];
  private readonly reply = new ReplyWriter();

  constructor(private readonly commands: readonly CommandDecl[]) {}

  /** Calls the handler of args[0] (any case) with args as bytes; returns its reply as latin1 text. */
  run(...args: string[]): string {
    const cmd = this.commands.find((c) => c.name === args[0].toLowerCase())!;
    const ctx: ExecContext = {
      shard: this.shard, db: this.db, dbIndex: 0, reply: this.reply, now: Date.now(), client: null, dispatcher: null as never,
      clientId: 0, canBlock: false, rerun: false, block: () => assert.fail(`${args[0]} must not block here`), signalReady: () => {},
    };
    this.reply.reset();
    cmd.handler!(ctx, args.map((s) => Buffer.from(s)));
    return this.reply.take().toString('latin1');
  }

  /** Stores a stand-in list value at `key` (other families only look at its type) and returns it. */
  setList(key: string): object {
    const value = { items: ['x'] };
    this.db.setObject(Buffer.from(key), ValueType.List, value, NO_EXPIRE);
    return value;
  }

  /** Asserts that `key` still holds `value`, as a list. */
  assertList(key: string, value: object): void {
    const h = this.db.find(Buffer.from(key), Date.now());
    assert.equal(this.db.type(h), ValueType.List);
    assert.equal(this.db.objectValue(h), value);
  }
}
