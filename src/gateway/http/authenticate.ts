/** Bearer-token authentication for every route but register and login. */
import type { FastifyRequest } from 'fastify';
import type { Accounts } from '../../domain/accounts.js';
import { ChatError } from '../../protocol/errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller's id; set by the authenticate hook. */
    callerId: string;
  }
}

export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

export function authenticateHook(accounts: Accounts, onActive: (userId: string) => void) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = bearerToken(request.headers.authorization);
    if (!token) throw new ChatError('unauthorized', 'missing bearer token');
    const { user } = await accounts.authenticate(token);
    request.callerId = user.id;
    onActive(user.id);
  };
}
