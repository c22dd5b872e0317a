// Helpers shared by the server family's modules.

import type { ReplyWriter } from '../../protocol/reply';

/**
 * A Redis-style HELP reply: a header line, the given lines, then HELP itself,
 * every line a status reply (as Redis's addReplyHelp).
 */
export function replyHelp(r: ReplyWriter, command: string, lines: readonly string[]): void {
  r.array(lines.length + 3);
  r.simple(`${command} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`);
  for (const line of lines) r.simple(line);
  r.simple('HELP');
  r.simple('    Prints this help.');
}

/** Error for a subcommand-style argument Redis doesn't know (Redis's addReplySubcommandSyntaxError). */
export function subcommandSyntaxError(command: string, arg: Buffer): string {
  return `ERR unknown subcommand or wrong number of arguments for '${arg.toString('latin1', 0, 128)}'. Try ${command} HELP.`;
}

