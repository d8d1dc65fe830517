/**
 * The token secret: from configuration, or generated once into the data folder
 * so tokens survive restarts of a node started without one.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function resolveJwtSecret(
  configured: string | undefined,
  dataDir: string,
): Promise<{ secret: string; source: 'config' | 'file' | 'generated'; path?: string }> {
  if (configured) return { secret: configured, source: 'config' };
  const path = join(dataDir, 'jwt-secret');
  try {
    const stored = (await readFile(path, 'utf8')).trim();
    if (stored.length >= 32) return { secret: stored, source: 'file', path };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  // 'wx' so two nodes starting together on one folder cannot overwrite each other's secret.
  try {
    await writeFile(path, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return resolveJwtSecret(undefined, dataDir);
    throw error;
  }
  return { secret, source: 'generated', path };
}
