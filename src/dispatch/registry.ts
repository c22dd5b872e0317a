// The command table: built once per thread from the family modules' declarations.

import type { Command, CommandDecl } from './command';

export class CommandTable {
  readonly byName = new Map<string, Command>();

  constructor(families: ReadonlyArray<readonly CommandDecl[]>) {
    for (const family of families) {
      for (const decl of family) {
        const cmd = materialize(decl, null);
        if (this.byName.has(cmd.name)) throw new Error(`command declared twice: ${cmd.name}`);
        this.byName.set(cmd.name, cmd);
      }
    }
  }

  /** Looks up argv[0] case-insensitively, internal commands included. */
  lookup(name: Buffer): Command | undefined {
    const s = name.latin1Slice(0, name.length);
    return this.byName.get(s) ?? this.byName.get(s.toLowerCase());
  }

  /** The commands clients can call (what COMMAND lists). */
  *visible(): IterableIterator<Command> {
    for (const cmd of this.byName.values()) if (!cmd.internal) yield cmd;
  }
}

function materialize(decl: CommandDecl, parent: Command | null): Command {
  const cmd: Command = {
    ...decl,
    fullName: parent ? `${parent.name}|${decl.name}` : decl.name,
    parent,
    route: decl.route ?? (decl.keys[0] > 0 || decl.keyFinder ? 'keys' : 'client'),
    subcommandMap: null,
    isWrite: decl.flags.includes('write'),
    stats: { calls: 0, usec: 0, rejected: 0, failed: 0 },
  };
  if (decl.subcommands) {
    cmd.subcommandMap = new Map();
    for (const sub of decl.subcommands) cmd.subcommandMap.set(sub.name, materialize(sub, cmd));
  }
  return cmd;
}

/** Key positions of a call, from first/last/step or the command's key finder. */
export function keyPositions(cmd: Pick<CommandDecl, 'keys' | 'keyFinder'>, argv: Buffer[]): number[] {
  if (cmd.keyFinder) return cmd.keyFinder(argv);
  const [first, lastDecl, step] = cmd.keys;
  if (first <= 0) return EMPTY;
  const last = lastDecl < 0 ? argv.length + lastDecl : lastDecl;
  const out: number[] = [];
  for (let i = first; i <= last && i < argv.length; i += step) out.push(i);
  return out;
}

const EMPTY: number[] = [];
