// The load-generator flow shared by the session and rate-limit scenarios: two
// commands on the same random key, the second sent whatever the first returned.

import { CommandTemplate, Flow, Xorshift } from '../lib/loadgen';

export class PairFlow implements Flow {
  private onSecond = false;

  /**
   * Both templates have the key's id as field 0; with `windowSeconds`, field 1 is
   * the current time window (seconds since the epoch divided by the window).
   */
  constructor(
    private readonly firstCommand: CommandTemplate,
    private readonly secondCommand: CommandTemplate,
    private readonly random: Xorshift,
    private readonly keyspace: number,
    private readonly windowSeconds?: number,
  ) {}

  first(): Buffer {
    const id = this.random.below(this.keyspace);
    this.firstCommand.setField(0, id);
    this.secondCommand.setField(0, id);
    if (this.windowSeconds !== undefined) {
      const window = Math.floor(Date.now() / 1000 / this.windowSeconds);
      this.firstCommand.setField(1, window);
      this.secondCommand.setField(1, window);
    }
    this.onSecond = false;
    return this.firstCommand.bytes;
  }

  next(): Buffer | null {
    if (this.onSecond) return null;
    this.onSecond = true;
    return this.secondCommand.bytes;
  }
}
