import type { ChalkInstance } from 'chalk';
import { makeChalk } from './colors.js';
import { renderTable, type TableColumn } from './table.js';

/** Everything a human reads goes to stderr, so stdout stays clean for `--json` and pipes. */
export class Ui {
  readonly color: ChalkInstance;

  constructor(
    private readonly out: NodeJS.WritableStream = process.stderr,
    color?: ChalkInstance,
  ) {
    this.color = color ?? makeChalk(out as NodeJS.WriteStream);
  }

  info(text = ''): void {
    this.out.write(`${text}\n`);
  }

  heading(text: string): void {
    this.info(this.color.bold(text));
  }

  success(text: string): void {
    this.info(`${this.color.green('✓')} ${text}`);
  }

  warn(text: string): void {
    this.info(`${this.color.yellow('warning:')} ${text}`);
  }

  table<T>(rows: T[], columns: TableColumn<T>[]): void {
    this.info(renderTable(rows, columns));
  }
}
