/**
 * PostgreSQL out of reach (restarted, connections reset, network cut, every
 * connection busy past the timeout) is not a server fault: the call may
 * succeed when tried again. The stores turn such failures into the contract's
 * `unavailable` (503 over HTTP, an `error` frame the SDK retries over the
 * WebSocket) instead of letting the driver's error surface as a 500.
 *
 * A retried send is safe even when the failure came after COMMIT (the answer
 * was lost with the connection): appends are idempotent on clientMsgId.
 */
import { ChatError } from '../../protocol/errors.js';

export class DatabaseUnavailableError extends ChatError {
  constructor(cause: unknown) {
    super('unavailable', 'the database does not answer; retry shortly', { retryAfterSeconds: 1 });
    this.name = 'DatabaseUnavailableError';
    this.cause = cause;
  }
}

/**
 * SQLSTATE classes and codes that say "the server or the connection", not
 * "this statement": 08 connection exception, 53 insufficient resources (too
 * many connections, out of memory or disk), 57P01-57P05 shutdown, crash,
 * cannot connect now, idle session timeout, and 57014 a cancelled statement
 * (our statement timeout: the server is too slow to answer now).
 */
const UNAVAILABLE_STATES = new Set(['57014', '57P01', '57P02', '57P03', '57P04', '57P05']);
const UNAVAILABLE_CLASSES = ['08', '53'];

/** Socket errors on the way to the server. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** What node-postgres says when the connection broke or never opened (it sets no code). */
const DRIVER_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /^Query read timeout/,
  /^Client has encountered a connection error/,
  /^Client was closed and is not queryable/,
  /^Connection terminated due to connection timeout/,
];

/** True when the failure says PostgreSQL is out of reach rather than that the call was wrong. */
export function isUnavailable(err: unknown): boolean {
  if (err instanceof DatabaseUnavailableError) return true;
  if (typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (/^[0-9A-Z]{5}$/.test(code)) {
      return UNAVAILABLE_STATES.has(code) || UNAVAILABLE_CLASSES.some((prefix) => code.startsWith(prefix));
    }
    if (NETWORK_CODES.has(code)) return true;
  }
  if (err instanceof AggregateError) return err.errors.some(isUnavailable);
  const message = (err as { message?: unknown }).message;
  return typeof message === 'string' && DRIVER_MESSAGES.some((pattern) => pattern.test(message));
}

/** The error to throw: `unavailable` for an unreachable database, the error itself otherwise. */
export function translate(err: unknown, onUnavailable?: (err: unknown) => void): unknown {
  if (err instanceof DatabaseUnavailableError || !isUnavailable(err)) return err;
  onUnavailable?.(err);
  return new DatabaseUnavailableError(err);
}

/**
 * The same object whose methods reject with DatabaseUnavailableError where
 * they would have rejected with a connection failure. Applied once, to each
 * store of the storage, so no store method can leak a driver error as a 500.
 */
export function guarded<T extends object>(target: T, onUnavailable?: (err: unknown) => void): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result: unknown = value.apply(object, args);
        if (!(result instanceof Promise)) return result;
        return result.catch((err: unknown) => {
          throw translate(err, onUnavailable);
        });
      };
    },
  });
}
