/**
 * Password hashing with argon2id at OWASP's recommended minimum
 * (19 MiB memory, 2 iterations, 1 lane): about 30 ms per hash here.
 */
import { hash, verify } from '@node-rs/argon2';

// The library's default algorithm is argon2id (its Algorithm enum is a const enum that isolated modules cannot read).
const OWASP_ARGON2ID = {
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OWASP_ARGON2ID);
}

/** A hash of nothing anyone knows, verified for unknown usernames so timing does not reveal them. */
let decoyHash: Promise<string> | undefined;

export async function verifyPassword(storedHash: string | null, password: string): Promise<boolean> {
  if (storedHash === null) {
    decoyHash ??= hashPassword(`decoy-${Math.random()}`);
    await verify(await decoyHash, password).catch(() => false);
    return false;
  }
  return verify(storedHash, password).catch(() => false);
}
