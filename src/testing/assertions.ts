/** Assertions shared by the HTTP tests: the contract's error body and the public user shape. */
import assert from 'node:assert/strict';
import type { ApiResponse } from './server.js';

/** The answer has this status and exactly the contract's body `{error: {code, message}}`. */
export function assertError(res: ApiResponse<unknown>, status: number, code: string, what = ''): void {
  const label = what ? `${what}: ` : '';
  assert.equal(res.status, status, `${label}expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/, `${label}error body must be JSON`);
  assert.ok(res.body !== null && typeof res.body === 'object', `${label}the error body is a JSON object`);
  const body = res.body as Record<string, unknown>;
  assert.deepEqual(Object.keys(body), ['error'], `${label}error body must hold only "error"`);
  const error = body.error as Record<string, unknown>;
  assert.ok(error !== null && typeof error === 'object');
  assert.deepEqual(Object.keys(error).sort(), ['code', 'message']);
  assert.equal(error.code, code, `${label}error code`);
  assert.equal(typeof error.message, 'string', `${label}error message`);
  assert.ok((error.message as string).length > 0, `${label}error message is empty`);
}

export function assertStatus(res: ApiResponse<unknown>, status: number, what: string): void {
  assert.equal(res.status, status, `${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
}

const USER_KEYS = ['avatarUrl', 'createdAt', 'displayName', 'id', 'username'];

/** Exactly the public user fields, nothing secret. */
export function assertUserShape(user: unknown): void {
  assert.ok(user && typeof user === 'object');
  const u = user as Record<string, unknown>;
  assert.deepEqual(Object.keys(u).sort(), USER_KEYS);
  assert.equal(typeof u.id, 'string');
  assert.ok((u.id as string).length > 0);
  assert.equal(typeof u.username, 'string');
  assert.equal(typeof u.displayName, 'string');
  assert.ok(u.avatarUrl === null || typeof u.avatarUrl === 'string');
  assert.equal(typeof u.createdAt, 'string');
  assert.equal(new Date(u.createdAt as string).toISOString(), u.createdAt, 'createdAt is an ISO-8601 UTC string');
}
