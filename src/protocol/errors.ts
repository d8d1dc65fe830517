/**
 * The one registry of error codes: each code's HTTP status and default message.
 * Every error a client can see is one of these; the HTTP and WebSocket edges map
 * them to the contract's error body, and docs/PROTOCOL.md must list each one.
 */
export const ERROR_CODES = {
  invalid_request: { status: 400, message: 'The request is malformed or fails validation.' },
  unauthorized: { status: 401, message: 'Missing, invalid or expired credentials.' },
  forbidden: { status: 403, message: 'You are not allowed to do this.' },
  not_found: { status: 404, message: 'No such resource, or you may not see it.' },
  conflict: { status: 409, message: 'The request conflicts with the current state.' },
  username_taken: { status: 409, message: 'That username is already taken.' },
  payload_too_large: { status: 413, message: 'The request or one of its fields is too large.' },
  unsupported_media_type: { status: 415, message: 'This content type is not supported.' },
  range_not_satisfiable: { status: 416, message: 'The requested range lies outside the content.' },
  rate_limited: { status: 429, message: 'Too many requests; retry later.' },
  internal_error: { status: 500, message: 'Something went wrong on the server.' },
  unavailable: { status: 503, message: 'The server is not ready or is shutting down.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

/** An error meant for the client: a registered code and a human message. */
export class ChatError extends Error {
  readonly code: ErrorCode;
  /** Seconds the client should wait, for `rate_limited`. */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message?: string, options?: { retryAfterSeconds?: number }) {
    super(message ?? ERROR_CODES[code].message);
    this.name = 'ChatError';
    this.code = code;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}

export function errorBody(code: ErrorCode, message?: string): ErrorBody {
  return { error: { code, message: message ?? ERROR_CODES[code].message } };
}
