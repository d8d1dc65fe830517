/**
 * The token faults of the authorization matrix: every way a bearer token can
 * be wrong, forged with the server's own secret where that matters (so only
 * the one fault is wrong).
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';

export const TOKEN_FAULTS = [
  'noToken',
  'expired',
  'notYetValid',
  'algNone',
  'badSignature',
  'wrongAudience',
  'deletedUser',
] as const;
export type TokenFault = (typeof TOKEN_FAULTS)[number];

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token for `userId` with exactly one fault; null for "no token at all". */
export async function faultyToken(fault: TokenFault, secret: string, userId: string): Promise<string | null> {
  const key = new TextEncoder().encode(secret);
  const now = Math.floor(Date.now() / 1000);
  const base = (subject = userId) =>
    new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(subject).setIssuer('chat-server').setIssuedAt();
  switch (fault) {
    case 'noToken':
      return null;
    case 'expired':
      return base()
        .setAudience('chat-client')
        .setIssuedAt(now - 7_200)
        .setExpirationTime(now - 3_600)
        .sign(key);
    case 'notYetValid':
      return base()
        .setAudience('chat-client')
        .setNotBefore(now + 3_600)
        .setExpirationTime(now + 7_200)
        .sign(key);
    case 'algNone':
      return `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: userId, iss: 'chat-server', aud: 'chat-client', exp: now + 3_600 })}.`;
    case 'badSignature': {
      const token = await base()
        .setAudience('chat-client')
        .setExpirationTime(now + 3_600)
        .sign(key);
      const last = token.at(-2) === 'A' ? 'B' : 'A';
      return `${token.slice(0, -2)}${last}${token.at(-1)}`;
    }
    case 'wrongAudience':
      return base()
        .setAudience('chat-admin')
        .setExpirationTime(now + 3_600)
        .sign(key);
    case 'deletedUser':
      // Correctly signed, for a user id the server does not (or no longer) know.
      return base(randomUUID())
        .setAudience('chat-client')
        .setExpirationTime(now + 3_600)
        .sign(key);
  }
}
