// Command-line argument checks shared by the benchmark scripts.

export function positiveInteger(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${flag} needs a positive integer, got "${text}"`);
  return value;
}
