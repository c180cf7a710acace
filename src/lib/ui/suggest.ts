import levenshtein from 'fast-levenshtein';

/**
 * The command closest to what was typed, in words (`bakup list` → `backup list`), or undefined when none
 * is close enough to be what was meant: each command is compared with as many typed words as it has.
 */
export function closestCommand(typed: string[], commands: string[]): string | undefined {
  let best: { id: string; score: number } | undefined;
  for (const id of commands) {
    const words = id.split(' ');
    const attempt = typed.slice(0, words.length).join(' ');
    const distance = levenshtein.get(attempt, id);
    // Relative to length, so a typo in a long command counts less than in a short one.
    const score = distance / Math.max(id.length, attempt.length);
    if (score <= 0.4 && (!best || score < best.score)) best = { id, score };
  }
  return best?.id;
}
