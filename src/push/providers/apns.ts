/**
 * APNs over HTTP/2 with token-based authentication: an ES256 provider JWT
 * (kid = key id, iss = team id), reused for 50 minutes (Apple refuses tokens
 * older than an hour and renewals more often than every 20 minutes).
 */
import http2 from 'node:http2';
import { importPKCS8, SignJWT } from 'jose';
import type { PushPayload } from '../../protocol/push.js';
import type { PushDeviceRecord } from '../store/store.js';
import { parseJson } from './http.js';
import { networkOutcome, type PushProvider, retryAfterMs, type SendOutcome } from './provider.js';

export interface ApnsOptions {
  /** https://api.push.apple.com (production) or https://api.sandbox.push.apple.com. */
  url: string;
  keyId: string;
  teamId: string;
  /** The app's bundle id (apns-topic). */
  topic: string;
  /** The .p8 key's PEM (PKCS#8, P-256). */
  privateKeyPem: string;
  ca?: string;
  timeoutMs?: number;
}

const TOKEN_LIFETIME_MS = 50 * 60 * 1000;
/** Reasons that mean the token will never work again: the device is removed. */
const DEAD_TOKEN = new Set(['BadDeviceToken', 'Unregistered', 'DeviceTokenNotForTopic', 'ExpiredToken']);

export class ApnsProvider implements PushProvider {
  readonly platform = 'ios' as const;
  private session: http2.ClientHttp2Session | null = null;
  private token: { jwt: string; issuedAt: number } | null = null;
  private key: Promise<CryptoKey> | null = null;

  constructor(private readonly options: ApnsOptions) {}

  async send(device: PushDeviceRecord, payload: PushPayload): Promise<SendOutcome> {
    let answer: { status: number; headers: http2.IncomingHttpHeaders; body: string };
    try {
      answer = await this.post(device.token, payload, await this.providerToken());
    } catch (error) {
      return networkOutcome(error);
    }
    const { status, headers } = answer;
    if (status === 200) return { status: 'sent' };
    const reason = readReason(answer.body);
    if (status === 410 || DEAD_TOKEN.has(reason)) return { status: 'gone', reason: `apns_${reason || status}` };
    if (status === 403 && (reason === 'ExpiredProviderToken' || reason === 'InvalidProviderToken')) {
      // A fresh token on the next attempt; an invalid one means the key settings are wrong.
      this.token = null;
      return reason === 'ExpiredProviderToken'
        ? { status: 'retry', reason: 'apns_expired_provider_token' }
        : { status: 'failed', reason: 'apns_invalid_provider_token' };
    }
    if (status === 429 || status >= 500) {
      const after = retryAfterMs(headers['retry-after']);
      return {
        status: 'retry',
        reason: status === 429 ? 'rate_limited' : `apns_${status}`,
        ...(after !== undefined ? { retryAfterMs: after } : {}),
      };
    }
    return { status: 'failed', reason: `apns_${reason || status}` };
  }

  async close(): Promise<void> {
    const session = this.session;
    this.session = null;
    if (session && !session.closed) await new Promise<void>((resolve) => session.close(() => resolve()));
  }

  private async providerToken(): Promise<string> {
    const now = Date.now();
    if (this.token && now - this.token.issuedAt < TOKEN_LIFETIME_MS) return this.token.jwt;
    this.key ??= importPKCS8(this.options.privateKeyPem, 'ES256');
    const jwt = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: this.options.keyId })
      .setIssuer(this.options.teamId)
      .setIssuedAt(Math.floor(now / 1000))
      .sign(await this.key);
    this.token = { jwt, issuedAt: now };
    return jwt;
  }

  private connect(): http2.ClientHttp2Session {
    if (this.session && !this.session.closed && !this.session.destroyed) return this.session;
    const session = http2.connect(this.options.url, this.options.ca ? { ca: this.options.ca } : {});
    // One long-lived connection, as Apple asks; a broken one is replaced on the next send.
    session.on('error', () => {
      if (this.session === session) this.session = null;
    });
    session.on('close', () => {
      if (this.session === session) this.session = null;
    });
    session.unref();
    this.session = session;
    return session;
  }

  private post(
    deviceToken: string,
    payload: PushPayload,
    jwt: string,
  ): Promise<{ status: number; headers: http2.IncomingHttpHeaders; body: string }> {
    const body = JSON.stringify(apnsBody(payload));
    const stream = this.connect().request({
      ':method': 'POST',
      ':path': `/3/device/${encodeURIComponent(deviceToken)}`,
      authorization: `bearer ${jwt}`,
      'apns-topic': this.options.topic,
      'apns-push-type': 'alert',
      'apns-priority': '10',
      'apns-expiration': String(Math.floor(Date.now() / 1000) + 24 * 3600),
      // The device shows only the newest notification of a conversation.
      'apns-collapse-id': payload.conversationId.slice(0, 64),
      'content-type': 'application/json',
    });
    return new Promise((resolve, reject) => {
      let headers: http2.IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      stream.setTimeout(this.options.timeoutMs ?? 10_000, () => stream.close(http2.constants.NGHTTP2_CANCEL, () => {}));
      stream.on('response', (h) => {
        headers = h;
      });
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const status = Number(headers[':status'] ?? 0);
        if (status === 0) reject(Object.assign(new Error('no answer from APNs'), { code: 'ETIMEDOUT' }));
        else resolve({ status, headers, body: Buffer.concat(chunks).toString('utf8') });
      });
      stream.on('error', reject);
      stream.end(body);
    });
  }
}

/** The APNs JSON: the alert in `aps`, the seed's fields beside it for the app. */
export function apnsBody(payload: PushPayload): Record<string, unknown> {
  return {
    aps: {
      alert: { title: payload.title, body: payload.body },
      badge: payload.badge,
      sound: payload.sound,
      'thread-id': payload.conversationId,
    },
    conversationId: payload.conversationId,
    messageId: payload.messageId,
    count: payload.count,
  };
}

function readReason(body: string): string {
  const parsed = parseJson(body);
  const reason = parsed && typeof parsed === 'object' ? (parsed as { reason?: unknown }).reason : undefined;
  return typeof reason === 'string' ? reason : '';
}
