// Progress lines on stderr, stamped with the time since the run began, so a long
// run shows where it is while stdout stays for the report.

const startedAt = Date.now();

export function progress(message: string): void {
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`${seconds}s ${message}\n`);
}
