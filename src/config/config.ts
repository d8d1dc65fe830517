/**
 * The node's configuration: one typed schema with documented defaults, read from
 * the environment once at start-up. Nothing else reads process.env.
 */
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();

export const configSchema = z.object({
  /** HTTP and WebSocket port. */
  PORT: port.default(8080),
  /** Interface to listen on. */
  HOST: z.string().min(1).default('0.0.0.0'),
  /** Folder of the embedded SQLite database and generated secrets. */
  CHAT_DATA_DIR: z.string().min(1).default('./data'),
  /** HMAC key for access tokens; generated into the data folder when absent. */
  CHAT_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Access token lifetime in seconds (default 7 days). */
  CHAT_TOKEN_TTL_SECONDS: positiveInt.default(7 * 24 * 3600),
  /** Largest group, counting every member. */
  CHAT_MAX_GROUP_MEMBERS: positiveInt.default(1024),
  /** Login attempts allowed per IP per minute. */
  CHAT_LOGIN_LIMIT_PER_IP: positiveInt.default(30),
  /** Failed logins allowed per username per 15 minutes. */
  CHAT_LOGIN_LIMIT_PER_USERNAME: positiveInt.default(10),
  /**
   * Whom to believe about the client address in X-Forwarded-For: unset (nobody:
   * the socket's address counts, so clients cannot forge their way past
   * per-address limits), "true" (any proxy: only behind a trusted balancer), or
   * a comma-separated list of proxy addresses or CIDRs.
   */
  CHAT_TRUST_PROXY: z
    .string()
    .optional()
    .transform((value): boolean | string => {
      if (value === undefined || value === '' || value === 'false') return false;
      return value === 'true' ? true : value;
    }),
  /** Browser origins allowed to open WebSockets, comma-separated; empty allows any. */
  CHAT_ALLOWED_ORIGINS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    ),
  /** Open WebSocket connections one user may hold on a node. */
  CHAT_MAX_CONNECTIONS_PER_USER: positiveInt.default(10),
  /** Open WebSocket connections one client address may hold on a node. */
  CHAT_MAX_CONNECTIONS_PER_IP: positiveInt.default(1000),
  /** Compress WebSocket frames (permessage-deflate): less bandwidth, more CPU and memory. */
  CHAT_WS_COMPRESSION: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** Bytes queued for one connection before it counts as a slow consumer and is closed. */
  CHAT_WS_MAX_BUFFERED_BYTES: positiveInt.default(4 * 1024 * 1024),
  /** Seconds without any frame (clients ping every 30 s) before a connection is closed and counts as gone. */
  CHAT_HEARTBEAT_TIMEOUT_SECONDS: positiveInt.default(60),
  /** Seconds without activity before a user shows as idle. */
  CHAT_IDLE_AFTER_SECONDS: positiveInt.default(300),
  /** Milliseconds a typing:start lasts without renewal. */
  CHAT_TYPING_LAPSE_MS: positiveInt.default(5000),
  /** Seconds a SIGTERM drain may take before the process exits anyway. */
  CHAT_DRAIN_TIMEOUT_SECONDS: positiveInt.default(10),
  /** pino level: fatal, error, warn, info, debug, trace or silent. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type ChatConfig = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Validates the environment; a bad value stops start-up with a clear message. */
export function loadConfig(env: Record<string, string | undefined>): ChatConfig {
  const result = configSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new ConfigError(`invalid configuration:\n${problems}`);
  }
  return result.data;
}
