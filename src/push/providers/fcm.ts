/**
 * FCM HTTP v1: POST /v1/projects/{project}/messages:send with an OAuth 2
 * access token obtained from a service account (JWT bearer grant, RS256,
 * scope firebase.messaging) and cached until shortly before it expires.
 */
import https from 'node:https';
import { importPKCS8, SignJWT } from 'jose';
import type { PushPayload } from '../../protocol/push.js';
import type { PushDeviceRecord } from '../store/store.js';
import { parseJson, request } from './http.js';
import { networkOutcome, type PushProvider, retryAfterMs, type SendOutcome } from './provider.js';

/** The fields of a service-account JSON key that are used. */
export interface ServiceAccount {
  project_id: string;
  client_email: string;
  private_key: string;
  token_uri?: string;
}

export interface FcmOptions {
  serviceAccount: ServiceAccount;
  /** https://fcm.googleapis.com */
  url: string;
  /** The OAuth token endpoint; default the service account's token_uri. */
  tokenUrl?: string;
  ca?: string;
  timeoutMs?: number;
}

export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
/** Error codes that mean the registration token is dead: the device is removed. */
const DEAD_TOKEN = new Set(['UNREGISTERED', 'SENDER_ID_MISMATCH']);

export class FcmProvider implements PushProvider {
  readonly platform = 'android' as const;
  private readonly agent: https.Agent;
  private accessToken: { value: string; expiresAt: number } | null = null;
  private key: Promise<CryptoKey> | null = null;

  constructor(private readonly options: FcmOptions) {
    this.agent = new https.Agent({ keepAlive: true, ...(options.ca ? { ca: options.ca } : {}) });
  }

  async send(device: PushDeviceRecord, payload: PushPayload): Promise<SendOutcome> {
    const project = encodeURIComponent(this.options.serviceAccount.project_id);
    let answer: Awaited<ReturnType<typeof request>>;
    try {
      const token = await this.token();
      answer = await request(`${this.options.url}/v1/projects/${project}/messages:send`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify({ message: fcmMessage(device.token, payload) }),
        agent: this.agent,
        timeoutMs: this.options.timeoutMs ?? 10_000,
      });
    } catch (error) {
      if (error instanceof TokenError) return { status: error.retry ? 'retry' : 'failed', reason: error.message };
      return networkOutcome(error);
    }
    if (answer.status === 200) return { status: 'sent' };
    const code = errorCode(answer.body);
    if (DEAD_TOKEN.has(code) || answer.status === 404)
      return { status: 'gone', reason: `fcm_${code || answer.status}` };
    if (answer.status === 401) {
      this.accessToken = null;
      return { status: 'retry', reason: 'fcm_unauthenticated' };
    }
    if (answer.status === 429 || answer.status >= 500) {
      const after = retryAfterMs(answer.headers['retry-after']);
      return {
        status: 'retry',
        reason: answer.status === 429 ? 'rate_limited' : `fcm_${code || answer.status}`,
        ...(after !== undefined ? { retryAfterMs: after } : {}),
      };
    }
    return { status: 'failed', reason: `fcm_${code || answer.status}` };
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }

  private async token(): Promise<string> {
    const now = Date.now();
    if (this.accessToken && now < this.accessToken.expiresAt) return this.accessToken.value;
    const account = this.options.serviceAccount;
    const tokenUrl = this.options.tokenUrl ?? account.token_uri ?? GOOGLE_TOKEN_URL;
    this.key ??= importPKCS8(account.private_key, 'RS256');
    const assertion = await new SignJWT({ scope: FCM_SCOPE })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer(account.client_email)
      .setSubject(account.client_email)
      .setAudience(tokenUrl)
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(Math.floor(now / 1000) + 3600)
      .sign(await this.key);
    const answer = await request(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
      agent: this.agent,
      timeoutMs: this.options.timeoutMs ?? 10_000,
    });
    const parsed = parseJson(answer.body) as { access_token?: unknown; expires_in?: unknown } | null;
    if (answer.status !== 200 || typeof parsed?.access_token !== 'string') {
      throw new TokenError(`fcm_token_${answer.status}`, answer.status === 429 || answer.status >= 500);
    }
    const lifetimeSeconds = typeof parsed.expires_in === 'number' ? parsed.expires_in : 3600;
    // Renewed a minute early: a token must not expire between this check and FCM's.
    this.accessToken = { value: parsed.access_token, expiresAt: now + Math.max(0, lifetimeSeconds - 60) * 1000 };
    return parsed.access_token;
  }
}

class TokenError extends Error {
  constructor(
    message: string,
    readonly retry: boolean,
  ) {
    super(message);
  }
}

/** The v1 message: a notification for the system tray, data (strings only) for the app. */
export function fcmMessage(token: string, payload: PushPayload): Record<string, unknown> {
  return {
    token,
    notification: { title: payload.title, body: payload.body },
    data: {
      conversationId: payload.conversationId,
      messageId: payload.messageId,
      badge: String(payload.badge),
      count: String(payload.count),
    },
    android: {
      priority: 'high',
      // A newer notification of the conversation replaces the older one.
      collapse_key: payload.conversationId,
      notification: { sound: payload.sound, tag: payload.conversationId, notification_count: payload.badge },
    },
  };
}

/** The FcmError code in the error details (UNREGISTERED …), else the status name. */
function errorCode(body: string): string {
  const parsed = parseJson(body) as {
    error?: { status?: unknown; details?: { '@type'?: unknown; errorCode?: unknown }[] };
  } | null;
  const detail = parsed?.error?.details?.find((d) => typeof d?.errorCode === 'string');
  if (typeof detail?.errorCode === 'string') return detail.errorCode;
  return typeof parsed?.error?.status === 'string' ? parsed.error.status : '';
}
