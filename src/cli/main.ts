/**
 * The `chat` command: operating a chat server from the shell. Every command
 * reads the server's own configuration (the environment: CHAT_DATA_DIR or
 * DATABASE_URL, …), so it acts on the store the server uses.
 */
import { ConfigError } from '../config/config.js';
import { ADMIN_HELP, adminCommand } from './admin.js';
import { benchCommand } from './bench.js';
import { CAPACITY_HELP, capacityCommand } from './capacity.js';
import { CliError, consoleOutput, type Output } from './output.js';
import { statsCommand } from './stats.js';
import { withStorage } from './storage.js';
import { USER_HELP, userCommand } from './users.js';

export const HELP = `chat COMMAND

  serve                      run a node (as npm start, without building)
  migrate                    create or upgrade the database schema, then exit
  user create|list …         accounts (chat user --help)
  admin grant|revoke USER    the admin flag; admin list
  stats [--url URL]          a node's figures from its /metrics
  capacity [--preset NAME]   the capacity planner (chat capacity --help)
  bench [NAME…] [--quick]    the benchmark suite, reports into bench/results/

${ADMIN_HELP}

${USER_HELP}

${CAPACITY_HELP}

Configuration comes from the environment, as for the server (see README, Configuration).`;

/** Runs one command; resolves with the exit code. */
export async function run(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
  out: Output = consoleOutput,
): Promise<number> {
  const [command, ...args] = argv;
  try {
    if (args.includes('--help') || args.includes('-h')) {
      out.line(
        command === 'capacity'
          ? CAPACITY_HELP
          : command === 'user'
            ? USER_HELP
            : command === 'admin'
              ? ADMIN_HELP
              : HELP,
      );
      return 0;
    }
    switch (command) {
      case 'serve':
        await import('../node/main.js');
        return -1;
      case 'migrate':
        await withStorage(env, async ({ where }) => out.line(`schema up to date: ${where}`));
        return 0;
      case 'user':
        await userCommand(args, env, out);
        return 0;
      case 'admin':
        await adminCommand(args, env, out);
        return 0;
      case 'stats':
        await statsCommand(args, env, out);
        return 0;
      case 'capacity':
        await capacityCommand(args, out);
        return 0;
      case 'bench':
        return await benchCommand(args, out);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out.line(HELP);
        return command === undefined ? 2 : 0;
      default:
        throw new CliError(`unknown command ${command}; chat --help lists them`);
    }
  } catch (error) {
    if (error instanceof CliError || error instanceof ConfigError) {
      out.error(error.message);
      return 2;
    }
    if (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      out.error(error.message);
      return 2;
    }
    throw error;
  }
}
