/** Questions a mutating command may ask; injected so tests answer them without a terminal. */
export interface Prompter {
  confirm(message: string): Promise<boolean>;
  /** Ask the operator to type `expected` (e.g. the environment name) before something destructive. */
  typeToConfirm(message: string, expected: string): Promise<boolean>;
}

/** Prompts on stderr via @inquirer/prompts (loaded only when a question is actually asked). */
export const terminalPrompter: Prompter = {
  async confirm(message) {
    const { confirm } = await import('@inquirer/prompts');
    return confirm({ message, default: false }, { output: process.stderr });
  },
  async typeToConfirm(message, expected) {
    const { input } = await import('@inquirer/prompts');
    const answer = await input({ message }, { output: process.stderr });
    return answer.trim() === expected;
  },
};
