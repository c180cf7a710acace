import { readFileSync } from 'node:fs';

/**
 * A command's long help, kept out of its code in `messages/<topic>.<verb>.md` (as the Salesforce CLI keeps
 * its `messages/*.md`): `# summary`, `# description`, `# examples` (one `- ` item each) and, for codes of its
 * own, `# exit codes` (`- 3: what it means`). The oclif manifest holds the text once built, so a run reads
 * no message file; `gwctl help`, the manifest build and docs/commands.md read them through this.
 */
export interface CommandHelpText {
  summary?: string;
  description?: string;
  examples: string[];
  exitCodes: { code: number; meaning: string }[];
}

const MESSAGES = new URL('../../../messages/', import.meta.url);

const cache = new Map<string, CommandHelpText>();

/**
 * The help of command `id` (`env:list` or, as oclif's help renames it for a space separator, `env list` →
 * `messages/env.list.md`); empty when it has no file.
 */
export function commandHelpText(id: string): CommandHelpText {
  let help = cache.get(id);
  if (!help) {
    let text: string;
    try {
      text = readFileSync(new URL(`${id.replace(/[: ]/g, '.')}.md`, MESSAGES), 'utf8');
    } catch {
      text = '';
    }
    help = parseHelpText(text);
    cache.set(id, help);
  }
  return help;
}

export function parseHelpText(markdown: string): CommandHelpText {
  const sections = new Map<string, string>();
  let current: string | undefined;
  for (const line of markdown.split('\n')) {
    const heading = /^# (.+)$/.exec(line);
    if (heading) sections.set((current = heading[1]!.trim().toLowerCase()), '');
    else if (current) sections.set(current, `${sections.get(current)}${line}\n`);
  }
  const text = (name: string) => sections.get(name)?.trim() || undefined;
  return {
    summary: text('summary'),
    description: text('description'),
    examples: listItems(text('examples')),
    exitCodes: listItems(text('exit codes')).flatMap((item) => {
      const m = /^(\d+):\s*(.+)$/s.exec(item);
      return m ? [{ code: Number(m[1]), meaning: m[2]! }] : [];
    }),
  };
}

/** `- ` items; lines indented under an item continue it (a multi-line example). */
function listItems(text: string | undefined): string[] {
  if (!text) return [];
  const items: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('- ')) items.push(line.slice(2));
    else if (/^\s+\S/.test(line) && items.length) items[items.length - 1] += `\n${line.trim()}`;
  }
  return items;
}
