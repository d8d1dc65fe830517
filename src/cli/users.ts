/** `chat user create|list`: accounts from the command line, in the configured store. */
import { parseArgs } from 'node:util';
import { hashPassword } from '../auth/passwords.js';
import { newId } from '../domain/clock.js';
import { displayName, password, username } from '../protocol/schemas.js';
import { StoreError } from '../store/errors.js';
import { CliError, type Output } from './output.js';
import { withStorage } from './storage.js';

export const USER_HELP = `chat user create USERNAME --password P [--display-name NAME] [--admin]
chat user list [--prefix P] [--limit N]`;

export async function userCommand(args: string[], env: Record<string, string | undefined>, out: Output) {
  const [action, ...rest] = args;
  if (action === 'create') return create(rest, env, out);
  if (action === 'list') return list(rest, env, out);
  throw new CliError(`usage:\n${USER_HELP}`);
}

async function create(args: string[], env: Record<string, string | undefined>, out: Output) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      password: { type: 'string' },
      'display-name': { type: 'string' },
      admin: { type: 'boolean', default: false },
    },
  });
  const name = username.safeParse(positionals[0]);
  if (!name.success || positionals.length !== 1) throw new CliError('username: 3-32 of a-z, 0-9, _ and .');
  const secret = password.safeParse(values.password);
  if (!secret.success) throw new CliError(`--password: ${secret.error.issues[0]?.message ?? 'required'}`);
  const shown = displayName.safeParse(values['display-name'] ?? name.data);
  if (!shown.success) throw new CliError(`--display-name: ${shown.error.issues[0]?.message ?? 'invalid'}`);
  await withStorage(env, async ({ storage, where }) => {
    try {
      await storage.users.create({
        id: newId(),
        username: name.data,
        displayName: shown.data,
        phone: null,
        passwordHash: await hashPassword(secret.data),
        createdAt: new Date().toISOString(),
      });
    } catch (error) {
      if (error instanceof StoreError && error.kind === 'username_taken') throw new CliError(`${name.data} is taken`);
      throw error;
    }
    if (values.admin) await storage.admin.setAdmin(name.data, true);
    const admin = await storage.admin.listAdmins();
    out.line(`created ${name.data} in ${where}${admin.includes(name.data) ? ' (admin)' : ''}`);
  });
}

async function list(args: string[], env: Record<string, string | undefined>, out: Output) {
  const { values } = parseArgs({
    args,
    options: { prefix: { type: 'string', default: '' }, limit: { type: 'string', default: '100' } },
  });
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new CliError('--limit: 1 to 10000');
  await withStorage(env, async ({ storage }) => {
    const users = await storage.users.searchByUsernamePrefix(String(values.prefix), limit);
    const admins = new Set(await storage.admin.listAdmins());
    for (const user of users) {
      out.line(`${user.username.padEnd(32)} ${user.createdAt}  ${admins.has(user.username) ? 'admin' : ''}`.trimEnd());
    }
    if (users.length === 0) out.line('no users');
  });
}
