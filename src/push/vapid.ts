/**
 * The VAPID key pair: from configuration, or generated once into the data
 * folder (like the token secret), so browser subscriptions, which are bound
 * to the public key, survive restarts.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateVapidKeys } from './providers/web-push.js';

export interface VapidPair {
  publicKey: string;
  privateKey: string;
  source: 'config' | 'file' | 'generated';
  path?: string;
}

export async function resolveVapidKeys(
  configured: { publicKey?: string | undefined; privateKey?: string | undefined },
  dataDir: string,
): Promise<VapidPair> {
  if (configured.publicKey && configured.privateKey) {
    return { publicKey: configured.publicKey, privateKey: configured.privateKey, source: 'config' };
  }
  if (configured.publicKey || configured.privateKey) {
    throw new Error('set both CHAT_VAPID_PUBLIC_KEY and CHAT_VAPID_PRIVATE_KEY, or neither');
  }
  const path = join(dataDir, 'vapid.json');
  try {
    const stored = JSON.parse(await readFile(path, 'utf8')) as { publicKey?: unknown; privateKey?: unknown };
    if (typeof stored.publicKey === 'string' && typeof stored.privateKey === 'string') {
      return { publicKey: stored.publicKey, privateKey: stored.privateKey, source: 'file', path };
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const keys = generateVapidKeys();
  try {
    // 'wx': two nodes starting together on one folder keep the first pair.
    await writeFile(path, `${JSON.stringify(keys)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return resolveVapidKeys({}, dataDir);
    throw error;
  }
  return { ...keys, source: 'generated', path };
}
