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
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => visibleLength(r[i]!))));
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
