/** Sign-in and the stored access token. */
import { type AuthResult, ChatApiError, ChatRest } from '../../../sdk/index.js';

const TOKEN_KEY = 'chat.token';

export function apiBase(): string {
  return typeof location === 'undefined' ? 'http://localhost:8080' : location.origin;
}

export function loadToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function saveToken(token: string | null): void {
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    // private mode: the token lives as long as the page
  }
}

export async function signIn(
  mode: 'login' | 'register',
  input: { username: string; password: string; displayName?: string },
): Promise<AuthResult> {
  const base = apiBase();
  if (mode === 'login') return ChatRest.login(base, { username: input.username, password: input.password });
  const body = {
    username: input.username,
    password: input.password,
    ...(input.displayName ? { displayName: input.displayName } : {}),
  };
  return ChatRest.register(base, body);
}

/** A sentence for the sign-in form. */
export function describeAuthError(error: unknown, mode: 'login' | 'register'): string {
  if (!(error instanceof ChatApiError)) return 'Something went wrong. Please try again.';
  switch (error.code) {
    case 'unauthorized':
      return 'Wrong username or password.';
    case 'username_taken':
      return 'That username is taken. Try another one.';
    case 'rate_limited':
      return `Too many attempts. Try again in ${error.retryAfterSeconds ?? 60} seconds.`;
    case 'network_error':
      return 'Cannot reach the server. Check your connection.';
    case 'invalid_request':
      return mode === 'register'
        ? 'Usernames are 3-32 lowercase letters, digits, "_" or "."; passwords at least 8 characters.'
        : error.message;
    default:
      return error.message;
  }
}
