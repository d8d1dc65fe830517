/** `chat admin grant|revoke USER` and `chat admin list`: the operator flag, straight in the store. */
import { CliError, type Output } from './output.js';
import { withStorage } from './storage.js';

export const ADMIN_HELP = `chat admin grant USERNAME   make a user an admin (the /admin dashboard)
chat admin revoke USERNAME  take it back
chat admin list             the admins`;

export async function adminCommand(args: string[], env: Record<string, string | undefined>, out: Output) {
  const [action, username, ...rest] = args;
  if (action === 'list' && username === undefined) {
    await withStorage(env, async ({ storage, where }) => {
      const admins = await storage.admin.listAdmins();
      out.line(admins.length > 0 ? admins.join('\n') : `no admins in ${where}`);
    });
    return;
  }
  if ((action !== 'grant' && action !== 'revoke') || !username || rest.length > 0) {
    throw new CliError(`usage:\n${ADMIN_HELP}`);
  }
  await withStorage(env, async ({ storage, where }) => {
    const found = await storage.admin.setAdmin(username, action === 'grant');
    if (!found) throw new CliError(`no user ${username} in ${where}`);
    out.line(action === 'grant' ? `${username} is now an admin` : `${username} is no longer an admin`);
  });
}
