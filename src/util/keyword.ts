// Matching command arguments against keywords the way Redis's strcasecmp does.

/** C tolower() in the "C" locale: ASCII letters only. */
export function lowerAscii(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
}

/** True when arg spells `upper` (an uppercase keyword) in any letter case. */
export function isKeyword(arg: Uint8Array, upper: string): boolean {
  if (arg.length !== upper.length) return false;
  for (let i = 0; i < arg.length; i++) {
    let b = arg[i];
    if (b >= 0x61 && b <= 0x7a) b -= 0x20; // a-z → A-Z
    if (b !== upper.charCodeAt(i)) return false;
  }
  return true;
}
