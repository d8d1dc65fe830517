/** The SDK's error: the contract's error body (`{error: {code, message}}`) plus the HTTP status. */
import { ERROR_CODES, type ErrorCode } from './protocol.js';

/** The contract's codes, plus two for failures that never reached a server answer. */
export type ChatApiErrorCode = ErrorCode | 'network_error' | 'bad_response';

export class ChatApiError extends Error {
  readonly status: number;
  readonly code: ChatApiErrorCode;
  /** Seconds to wait, from `Retry-After` on 429. */
  readonly retryAfterSeconds: number | undefined;

  constructor(status: number, code: ChatApiErrorCode, message: string, retryAfterSeconds?: number) {
    super(message);
    this.name = 'ChatApiError';
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** An `error` frame of the WebSocket: the status is the one the code has over HTTP. */
  static fromFrame(code: ErrorCode, message: string): ChatApiError {
    const known = (ERROR_CODES as Record<string, { status: number } | undefined>)[code];
    return new ChatApiError(known?.status ?? 0, code, message);
  }
}

/** Codes after which a send may succeed when simply tried again. */
const RETRYABLE: ReadonlySet<string> = new Set(['unavailable', 'internal_error', 'rate_limited', 'network_error']);

export function isRetryable(code: string): boolean {
  return RETRYABLE.has(code);
}
