// Plain-text tables for terminal reports.

export interface Column {
  header: string;
  /** Numbers read best right-aligned. */
  align?: 'left' | 'right';
}

/** Renders rows under a header with column widths fitted to the content. */
export function formatTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((column, i) => Math.max(column.header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const renderRow = (cells: readonly string[]): string =>
    columns
      .map((column, i) => {
        const cell = cells[i] ?? '';
        return column.align === 'right' ? cell.padStart(widths[i]) : cell.padEnd(widths[i]);
      })
      .join('  ')
      .trimEnd();
  const lines = [renderRow(columns.map((column) => column.header)), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const row of rows) lines.push(renderRow(row));
  return lines.join('\n');
}

/** Fixed decimals, or a placeholder where there is no figure. */
export function formatNumber(value: number | undefined, decimals: number): string {
  return value === undefined || !Number.isFinite(value) ? 'n/a' : value.toFixed(decimals);
}

/** A ratio such as 0.83× (or n/a when either side is missing). */
export function formatRatio(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? 'n/a' : `${value.toFixed(2)}x`;
}
