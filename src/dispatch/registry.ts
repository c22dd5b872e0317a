// The command table: built once per thread from the family modules' declarations.

import type { Command, CommandDecl } from './command';
import { isKeyword, lowerAscii } from '../util/keyword';

export class CommandTable {
  readonly byName = new Map<string, Command>();
  /**
   * The same commands by a case-folded hash of their name's bytes, so the lookup on every
   * request makes no string (names that collide fall back to byName).
   */
  private readonly byNameHash = new Map<number, { cmd: Command; upper: string }>();

  constructor(families: ReadonlyArray<readonly CommandDecl[]>) {
    const collided = new Set<number>();
    for (const family of families) {
      for (const decl of family) {
        const cmd = materialize(decl, null);
        if (this.byName.has(cmd.name)) throw new Error(`command declared twice: ${cmd.name}`);
        this.byName.set(cmd.name, cmd);
        const hash = foldedNameHash(Buffer.from(cmd.name, 'latin1'));
        if (this.byNameHash.has(hash)) collided.add(hash);
        else this.byNameHash.set(hash, { cmd, upper: cmd.name.toUpperCase() });
      }
    }
    for (const hash of collided) this.byNameHash.delete(hash);
  }

  /** Looks up argv[0] case-insensitively, internal commands included. */
  lookup(name: Buffer): Command | undefined {
    const entry = this.byNameHash.get(foldedNameHash(name));
    if (entry !== undefined && isKeyword(name, entry.upper)) return entry.cmd;
    const s = name.latin1Slice(0, name.length);
    return this.byName.get(s) ?? this.byName.get(s.toLowerCase());
  }

  /** The commands clients can call (what COMMAND lists). */
  *visible(): IterableIterator<Command> {
    for (const cmd of this.byName.values()) if (!cmd.internal) yield cmd;
  }
}

/** FNV-1a over the bytes with ASCII letters lowered; equal for names that differ only in case. */
function foldedNameHash(name: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash = Math.imul(hash ^ lowerAscii(name[i]), 0x01000193);
  }
  return hash >>> 0;
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
