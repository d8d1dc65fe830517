/**
 * The node's configuration: one typed schema with documented defaults, read from
 * the environment once at start-up. Nothing else reads process.env.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { parseAllowList } from '../previews/target.js';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();

export const configSchema = z.object({
  /** HTTP and WebSocket port. */
  PORT: port.default(8080),
  /** Interface to listen on. */
  HOST: z.string().min(1).default('0.0.0.0'),
  /**
   * Connections the kernel queues before they are accepted. Node's default of
   * 511 overflows when thousands of clients reconnect at once, and each dropped
   * SYN is retried after 1, 3, 7 … s. Linux caps it at net.core.somaxconn.
   */
  CHAT_LISTEN_BACKLOG: positiveInt.default(4096),
  /** Folder of the embedded SQLite database and generated secrets. */
  CHAT_DATA_DIR: z.string().min(1).default('./data'),
  /** HMAC key for access tokens; generated into the data folder when absent. */
  CHAT_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Access token lifetime in seconds (default 7 days). */
  CHAT_TOKEN_TTL_SECONDS: positiveInt.default(7 * 24 * 3600),
  /** Largest group, counting every member. */
  CHAT_MAX_GROUP_MEMBERS: positiveInt.default(1024),
  /** Largest broadcast channel, admins included. */
  CHAT_MAX_CHANNEL_MEMBERS: positiveInt.default(100_000),
  /** Login attempts allowed per IP per minute. */
  CHAT_LOGIN_LIMIT_PER_IP: positiveInt.default(30),
  /** Failed logins allowed per username per 15 minutes. */
  CHAT_LOGIN_LIMIT_PER_USERNAME: positiveInt.default(10),
  /** Messages one user may send per second, sustained (REST and WebSocket together); beyond: 429 rate_limited. */
  CHAT_MESSAGE_RATE_PER_SECOND: positiveInt.default(20),
  /** Messages one user may send at once before the per-second rate applies. */
  CHAT_MESSAGE_RATE_BURST: positiveInt.default(50),
  /** Groups one user may create per hour. */
  CHAT_GROUP_CREATE_PER_HOUR: positiveInt.default(100),
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
  /**
   * PostgreSQL (postgres://user@host:5432/db): the store every node of a
   * scale-out deployment shares. Unset: embedded SQLite in CHAT_DATA_DIR.
   */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  /** Schema holding the tables (created when missing); unset: the server's search_path. */
  CHAT_DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'lowercase letters, digits and _')
    .optional(),
  /** Connections this node's PostgreSQL pool may hold. */
  CHAT_DATABASE_POOL_SIZE: positiveInt.default(10),
  /**
   * Redis (redis://host:6379): presence, routing between nodes, typing and rate
   * limits of a scale-out deployment. Requires DATABASE_URL. Unset: in-process (one node).
   */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  /** Prefix of every Redis key and channel; nodes of one deployment share it. */
  CHAT_REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'letters, digits and . _ : -')
    .default('chat:'),
  /** This node's name in the node registry and routing; default: random per start. */
  CHAT_NODE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits and . _ -')
    .default(() => `node-${randomBytes(4).toString('hex')}`),
  /** Largest media upload in bytes (default 50 MiB); larger ones answer 413. */
  CHAT_MEDIA_MAX_BYTES: positiveInt.default(50 * 1024 * 1024),
  /** Bytes of media (files and thumbnails) one user may store (default 1 GiB). */
  CHAT_MEDIA_QUOTA_BYTES: positiveInt.default(1024 * 1024 * 1024),
  /** Largest image accepted, in pixels (width × height): decompression bombs are refused. */
  CHAT_MEDIA_MAX_PIXELS: positiveInt.default(40_000_000),
  /** Uploads no message carries are removed this long after their last use. */
  CHAT_MEDIA_ORPHAN_TTL_SECONDS: positiveInt.default(24 * 3600),
  /** How often the node sweeps such uploads. */
  CHAT_MEDIA_SWEEP_INTERVAL_SECONDS: positiveInt.default(3600),
  /**
   * S3-compatible endpoint for media blobs (e.g. http://127.0.0.1:9000 for
   * MinIO); unset with CHAT_S3_BUCKET set: AWS S3 itself. Credentials come from
   * the standard AWS environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY …).
   */
  CHAT_S3_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  /** Bucket for media blobs; set, media lives in S3 instead of CHAT_DATA_DIR/media. */
  CHAT_S3_BUCKET: z.string().min(3).max(63).optional(),
  /** Region of the bucket. */
  CHAT_S3_REGION: z.string().min(1).default('us-east-1'),
  /** How often the admin dashboard's stats are sampled and pushed (and shared between nodes). */
  CHAT_ADMIN_STATS_INTERVAL_MS: z.coerce.number().int().min(100).max(60_000).default(1000),
  /** How often the largest outboxes are counted (a scan of memberships); 0: never. */
  CHAT_OUTBOX_SCAN_SECONDS: z.coerce.number().int().min(0).default(30),
  /** Push: how long a message may go unacknowledged by every device of a recipient before it is pushed. */
  CHAT_PUSH_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(2000),
  /** Push: messages of one conversation within this window become one notification. */
  CHAT_PUSH_COALESCE_MS: z.coerce.number().int().min(0).max(600_000).default(2000),
  /** Push: attempts per notification and target before giving up (backoff doubles each time). */
  CHAT_PUSH_MAX_ATTEMPTS: positiveInt.max(30).default(8),
  /** Push: the first retry's delay; then 2x, 4x … (±50% jitter, at most an hour). */
  CHAT_PUSH_RETRY_BASE_MS: positiveInt.default(1000),
  /** Push: how often each node looks for jobs other nodes queued. */
  CHAT_PUSH_POLL_MS: positiveInt.default(1000),
  /** Web Push VAPID keys (base64url, `npx web-push generate-vapid-keys`); unset: generated into the data folder. */
  CHAT_VAPID_PUBLIC_KEY: z
    .string()
    .regex(/^[A-Za-z0-9_-]{87}$/, 'a base64url P-256 public key')
    .optional(),
  CHAT_VAPID_PRIVATE_KEY: z
    .string()
    .regex(/^[A-Za-z0-9_-]{43}$/, 'a base64url P-256 private key')
    .optional(),
  /** Web Push contact for the push services: mailto: or https: URL. */
  CHAT_VAPID_SUBJECT: z
    .string()
    .regex(/^(mailto:|https:\/\/)/, 'a mailto: or https: URL')
    .default('mailto:admin@localhost'),
  /** APNs: the .p8 signing key (PEM file); with CHAT_APNS_KEY_ID, _TEAM_ID and _TOPIC it turns iOS push on. */
  CHAT_APNS_KEY_FILE: z.string().min(1).optional(),
  CHAT_APNS_KEY_ID: z
    .string()
    .regex(/^[A-Z0-9]{10}$/, '10 characters, A-Z and 0-9')
    .optional(),
  CHAT_APNS_TEAM_ID: z
    .string()
    .regex(/^[A-Z0-9]{10}$/, '10 characters, A-Z and 0-9')
    .optional(),
  /** APNs: the app's bundle id. */
  CHAT_APNS_TOPIC: z.string().min(1).max(255).optional(),
  /** APNs endpoint: production, or https://api.sandbox.push.apple.com for development builds. */
  CHAT_APNS_URL: z.url({ protocol: /^https$/ }).default('https://api.push.apple.com'),
  /** FCM: the service account JSON key file; set, Android push is on. */
  CHAT_FCM_SERVICE_ACCOUNT_FILE: z.string().min(1).optional(),
  /** FCM HTTP v1 endpoint. */
  CHAT_FCM_URL: z.url({ protocol: /^https?$/ }).default('https://fcm.googleapis.com'),
  /** FCM OAuth token endpoint; default the service account's token_uri. */
  CHAT_FCM_TOKEN_URL: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * Hosts (and their subdomains) a Web Push subscription may point at,
   * comma-separated; `*` allows any https host. The server POSTs to these
   * endpoints, so an open list lets users aim it at internal hosts.
   */
  CHAT_WEB_PUSH_HOSTS: z
    .string()
    .default('fcm.googleapis.com,push.services.mozilla.com,notify.windows.com,push.apple.com')
    .transform((value) =>
      value
        .split(',')
        .map((host) => host.trim().toLowerCase())
        .filter(Boolean),
    ),
  /** Extra CA certificates (PEM file) trusted for push endpoints, e.g. a proxy's or a local stand-in's. */
  CHAT_PUSH_CA_FILE: z.string().min(1).optional(),
  /** Link previews of the first http(s) URL of a message (docs/PROTOCOL.md, "Link previews"): on or off. */
  CHAT_LINK_PREVIEWS: z
    .enum(['on', 'off'])
    .default('on')
    .transform((v) => v === 'on'),
  /** How long a fetched link preview is reused for the same URL. */
  CHAT_LINK_PREVIEW_TTL_SECONDS: positiveInt.default(24 * 3600),
  /** How long a failed link preview fetch is remembered (not retried). */
  CHAT_LINK_PREVIEW_FAILURE_TTL_SECONDS: positiveInt.default(600),
  /**
   * DANGEROUS, for tests only: `address:port` pairs (IP literals, e.g.
   * 127.0.0.1:8081) link previews may fetch although private. Each one lets
   * every user make the server request that address and port.
   */
  CHAT_LINK_PREVIEW_UNSAFE_ALLOW: z
    .string()
    .default('')
    .transform((value, ctx) => {
      const entries = value
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean);
      try {
        parseAllowList(entries);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
      }
      return entries;
    }),
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
  if (result.data.REDIS_URL && !result.data.DATABASE_URL) {
    throw new ConfigError(
      'invalid configuration:\n  REDIS_URL: requires DATABASE_URL (the nodes must share one store)',
    );
  }
  return result.data;
}
