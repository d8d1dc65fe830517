/** Structured JSON logs (pino), one logger per node. */
import { type Logger, pino } from 'pino';

export type { Logger };

/**
 * What never reaches the log: credentials in headers, bodies and objects
 * (passwords, tokens, push subscriptions' keys), at the top level or one level
 * down (pino's redaction matches fixed depths).
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  'password',
  '*.password',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'secret',
  '*.secret',
  'subscription.keys',
  '*.subscription.keys',
];

/** A URL with its `token=` query parameter (the WebSocket handshake's) blanked. */
export function redactUrl(url: unknown): unknown {
  return typeof url === 'string' ? url.replace(/([?&](?:access_)?token=)[^&#]*/gi, '$1[redacted]') : url;
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'chat-server' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      url: redactUrl,
      req: (req: { method?: string; url?: string }) => ({ method: req.method, url: redactUrl(req.url) }),
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
