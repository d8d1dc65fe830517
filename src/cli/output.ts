/** Where commands write, so tests can read what they print. */
export interface Output {
  line(text: string): void;
  error(text: string): void;
}

export const consoleOutput: Output = {
  line: (text) => process.stdout.write(`${text}\n`),
  error: (text) => process.stderr.write(`${text}\n`),
};

/** A mistake of the caller's: printed without a stack, exit code 2. */
export class CliError extends Error {
  override name = 'CliError';
}
