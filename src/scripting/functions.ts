// The function libraries of one thread (Redis 7.0 functions.c semantics): libraries by name,
// their functions by name for FCALL, and what FUNCTION LOAD, DELETE, FLUSH and RESTORE do to
// them. Every thread keeps its own registry, compiled into its own Lua state; commands that
// change one change the others through internal commands (src/commands/functions.ts).

import { RequestParser } from '../protocol/parser';
import { isKeyword } from '../util/keyword';
import { scriptEngine, type LibraryLoader, type ScriptEngine, type ScriptFlags } from './engine';
import { dumpFunctions, parseFunctionDump } from './function-dump';

/** FUNCTION LOAD's limit on running a library's code (Redis's LOAD_TIMEOUT_MS). */
export const LOAD_TIMEOUT_MS = 500;
const BAD_NAME = 'Library names can only contain letters, numbers, or underscores(_) and must be at least one character long';

export interface LibraryFunction {
  /** As registered; FCALL finds it in any letter case. */
  name: string;
  description: Buffer | null;
  flags: ScriptFlags;
  /** Registry reference of its callback in this thread's Lua state. */
  ref: number;
  library: Library;
}

export interface Library {
  name: string;
  /** The whole code, metadata line included (FUNCTION LIST WITHCODE, DUMP). */
  code: Buffer;
  functions: LibraryFunction[];
}

export type RestorePolicy = 'flush' | 'append' | 'replace';

/** Names of libraries and functions: letters, digits and underscores, at least one. */
function validName(name: Buffer): boolean {
  if (name.length === 0) return false;
  for (const c of name) {
    const letter = c | 0x20;
    if (!((letter >= 0x61 && letter <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f)) return false;
  }
  return true;
}

/** A set of libraries whose function names don't collide (in any letter case). */
class LibrarySet {
  readonly libraries = new Map<string, Library>();
  /** Functions of the linked libraries by lowercase name. */
  readonly functions = new Map<string, LibraryFunction>();

  link(library: Library): void {
    for (const fn of library.functions) {
      const key = fn.name.toLowerCase();
      // Names differing only in case within one library: the first one answers FCALL (as Redis's dictAdd).
      if (!this.functions.has(key)) this.functions.set(key, fn);
    }
    this.libraries.set(library.name, library);
  }

  unlink(library: Library): void {
    for (const fn of library.functions) {
      const key = fn.name.toLowerCase();
      if (this.functions.get(key) === fn) this.functions.delete(key);
    }
    this.libraries.delete(library.name);
  }

  /** The error for the first function of `library` already in this set, or null. */
  collision(library: Library): string | null {
    const taken = library.functions.find((fn) => this.functions.has(fn.name.toLowerCase()));
    return taken === undefined ? null : `ERR Function ${taken.name} already exists`;
  }
}

/** Gathers the functions redis.register_function registers while a library's code runs. */
class LibraryBuilder implements LibraryLoader {
  constructor(readonly library: Library) {}

  register(name: Buffer, ref: number, description: Buffer | null, flags: ScriptFlags): string | null {
    if (!validName(name)) return BAD_NAME;
    const text = name.latin1Slice(0, name.length);
    if (this.library.functions.some((fn) => fn.name === text)) return 'Function already exists in the library';
    this.library.functions.push({ name: text, description, flags, ref, library: this.library });
    return null;
  }
}

/** A library code's metadata line: `#!<engine> name=<name>`, split by sdssplitargs rules. */
function parseMetadata(code: Buffer): { engine: Buffer; name: Buffer; body: Buffer } | string {
  if (code.length < 2 || code[0] !== 0x23 || code[1] !== 0x21) return 'ERR Missing library metadata';
  const newline = code.indexOf(0x0a);
  // Redis reads the code as a C string: a NUL before the first newline hides it.
  const nul = code.indexOf(0);
  if (newline < 0 || (nul >= 0 && nul < newline)) return 'ERR Invalid library metadata';
  // The line splits exactly as an inline command does.
  const parser = new RequestParser();
  parser.feed(code.subarray(0, newline + 1));
  let parts: Buffer[] | null;
  try {
    parts = parser.next();
  } catch {
    parts = null;
  }
  if (parts === null || parts.length === 0) return 'ERR Invalid library metadata';
  let name: Buffer | null = null;
  for (const part of parts.slice(1)) {
    if (!isKeyword(part.subarray(0, 5), 'NAME=')) return `ERR Invalid metadata value given: ${part.latin1Slice(0, part.length)}`;
    if (name !== null) return 'ERR Invalid metadata value, name argument was given multiple times';
    name = part.subarray(5);
  }
  if (name === null) return 'ERR Library name was not given';
  return { engine: parts[0].subarray(2), name, body: code.subarray(newline) };
}

export class FunctionRegistry {
  private current = new LibrarySet();

  constructor(private readonly engine: ScriptEngine) {}

  get libraries(): ReadonlyMap<string, Library> {
    return this.current.libraries;
  }

  /** The function FCALL names, in any letter case. */
  lookup(name: Buffer): LibraryFunction | undefined {
    return this.current.functions.get(name.latin1Slice(0, name.length).toLowerCase());
  }

  get functionCount(): number {
    let count = 0;
    for (const library of this.current.libraries.values()) count += library.functions.length;
    return count;
  }

  /** FUNCTION LOAD: the library, or the error reply text (nothing changed then). */
  load(code: Buffer, replace: boolean, timeoutMs: number): Library | string {
    return this.create(code, replace, timeoutMs, this.current);
  }

  /** FUNCTION DELETE: false when there is no such library. */
  delete(name: Buffer): boolean {
    const library = this.current.libraries.get(name.latin1Slice(0, name.length));
    if (library === undefined) return false;
    this.current.unlink(library);
    this.release(library);
    return true;
  }

  flush(): void {
    for (const library of this.current.libraries.values()) this.release(library);
    this.current = new LibrarySet();
  }

  dump(): Buffer {
    return dumpFunctions(Array.from(this.current.libraries.values(), (library) => library.code));
  }

  /** FUNCTION RESTORE: null, or the error reply text (nothing changed then). */
  restore(payload: Buffer, policy: RestorePolicy): string | null {
    const codes = parseFunctionDump(payload);
    if (typeof codes === 'string') return codes;
    const restored = new LibrarySet();
    for (const code of codes) {
      const created = this.create(code, false, 0, restored);
      if (typeof created === 'string') {
        this.releaseAll(restored);
        return created;
      }
    }
    if (policy === 'flush') {
      this.flush();
      this.current = restored;
      return null;
    }
    const error = this.join(restored, policy === 'replace');
    if (error !== null) this.releaseAll(restored);
    return error;
  }

  /**
   * Compiles a library into `set`, replacing a library of the same name if `replace`.
   * Returns it, or the error reply text; `set` is unchanged on error.
   */
  private create(code: Buffer, replace: boolean, timeoutMs: number, set: LibrarySet): Library | string {
    const metadata = parseMetadata(code);
    if (typeof metadata === 'string') return metadata;
    if (!validName(metadata.name)) return `ERR ${BAD_NAME}`;
    if (!isKeyword(metadata.engine, 'LUA')) return `ERR Engine '${metadata.engine.latin1Slice(0, metadata.engine.length)}' not found`;
    const name = metadata.name.latin1Slice(0, metadata.name.length);
    const old = set.libraries.get(name);
    if (old !== undefined && !replace) return `ERR Library '${name}' already exists`;
    if (old !== undefined) set.unlink(old);
    const builder = new LibraryBuilder({ name, code: Buffer.from(code), functions: [] });
    const library = builder.library;
    const error = this.engine.loadFunctions(metadata.body, timeoutMs, builder) ?? (library.functions.length === 0 ? 'ERR No functions registered' : set.collision(library));
    if (error !== null) {
      this.release(library);
      if (old !== undefined) set.link(old);
      return error;
    }
    set.link(library);
    if (old !== undefined) this.release(old);
    return library;
  }

  /** Adds the libraries of `from` to the current ones (Redis's libraryJoin); null or the error. */
  private join(from: LibrarySet, replace: boolean): string | null {
    const replaced: Library[] = [];
    let error: string | null = null;
    for (const library of from.libraries.values()) {
      const old = this.current.libraries.get(library.name);
      if (old === undefined) continue;
      if (!replace) {
        error = `ERR Library ${library.name} already exists`;
        break;
      }
      this.current.unlink(old);
      replaced.push(old);
    }
    if (error === null) {
      for (const library of from.libraries.values()) if ((error = this.current.collision(library)) !== null) break;
    }
    if (error !== null) {
      for (const old of replaced) this.current.link(old);
      return error;
    }
    for (const library of from.libraries.values()) this.current.link(library);
    for (const old of replaced) this.release(old);
    return null;
  }

  private release(library: Library): void {
    for (const fn of library.functions) this.engine.releaseFunction(fn.ref);
  }

  private releaseAll(set: LibrarySet): void {
    for (const library of set.libraries.values()) this.release(library);
  }
}

let registry: FunctionRegistry | null = null;

/** This thread's function libraries. */
export function functionRegistry(): FunctionRegistry {
  registry ??= new FunctionRegistry(scriptEngine());
  return registry;
}
