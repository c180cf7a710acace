import type { ChalkInstance } from 'chalk';
import { makeChalk } from './colors.js';
import { renderTable, type TableColumn } from './table.js';

export interface UiOptions {
  /** `--color` / `--no-color`; when absent, colour only a terminal, and never with NO_COLOR. */
  color?: boolean;
}

/**
 * What a command prints, on the stream it belongs to (as kubectl and gcloud do): results (tables, plans,
 * outcomes) on `out`, stdout, so `gwctl env list | grep prod` works; warnings and notes on what is happening
 * on `err`, stderr. Under --json the command passes stderr as `out` too: stdout then carries the JSON alone.
 * Warnings are also kept, for the JSON envelope.
 */
export class Ui {
  /** Colours for results (`out`). */
  readonly color: ChalkInstance;
  /** Every warning given, in order: the JSON envelope carries them. */
  readonly warnings: string[] = [];
  private readonly errColor: ChalkInstance;

  constructor(
    private readonly out: NodeJS.WritableStream = process.stdout,
    private readonly err: NodeJS.WritableStream = process.stderr,
    opts: UiOptions = {},
  ) {
    this.color = makeChalk(out as NodeJS.WriteStream, process.env, opts.color);
    this.errColor = out === err ? this.color : makeChalk(err as NodeJS.WriteStream, process.env, opts.color);
  }

  /** A line of the result. */
  info(text = ''): void {
    this.out.write(`${text}\n`);
  }

  heading(text: string): void {
    this.info(this.color.bold(text));
  }

  success(text: string): void {
    this.info(`${this.color.green('✓')} ${text}`);
  }

  table<T>(rows: T[], columns: TableColumn<T>[]): void {
    this.info(renderTable(rows, columns));
  }

  /** Something the operator should know that is not the result: stderr, and the JSON envelope's `warnings`. */
  warn(text: string): void {
    this.warnings.push(text);
    this.err.write(`${this.errColor.yellow('warning:')} ${text}\n`);
  }

  /** What is happening (a step taken, a wait, where data came from): stderr, out of the way of pipes. */
  note(text: string): void {
    this.err.write(`${this.errColor.dim(text)}\n`);
  }

  /** The one line a failed command ends with, on stderr. */
  error(text: string): void {
    this.err.write(`${this.errColor.red('error:')} ${text}\n`);
  }
}
