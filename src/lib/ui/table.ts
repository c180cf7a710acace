export interface TableColumn<T> {
  header: string;
  get: (row: T) => string | number | boolean | undefined;
  align?: 'left' | 'right';
}

// ANSI colour codes take no room on screen.
// eslint-disable-next-line no-control-regex
const visibleLength = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '').length;

/** A plain, aligned text table (kubectl-style: upper-case headers, two spaces between columns). */
export function renderTable<T>(rows: T[], columns: TableColumn<T>[]): string {
  const cells = rows.map((row) => columns.map((c) => String(c.get(row) ?? '')));
  // A loop, not Math.max(...cells): spreading 100k+ rows overflows the call stack (`sandbox requests` on a busy log).
  const widths = columns.map((c) => c.header.length);
  for (const row of cells) row.forEach((v, i) => (widths[i] = Math.max(widths[i]!, visibleLength(v))));
  const line = (values: string[]) =>
    values
      .map((v, i) => {
        const pad = ' '.repeat(widths[i]! - visibleLength(v));
        return columns[i]!.align === 'right' ? pad + v : v + pad;
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header.toUpperCase())), ...cells.map(line)].join('\n');
}
