/**
 * Web Push with VAPID (RFC 8292) and aes128gcm payload encryption (RFC 8291),
 * through the `web-push` library. The endpoint is the browser's push service,
 * taken from the subscription.
 */
import { createHash } from 'node:crypto';
import https from 'node:https';
import webpush from 'web-push';
import type { PushPayload } from '../../protocol/push.js';
import type { PushDeviceRecord } from '../store/store.js';
import { networkOutcome, type PushProvider, retryAfterMs, type SendOutcome } from './provider.js';

export interface VapidKeys {
  /** mailto: or https: contact the push services may use. */
  subject: string;
  /** Base64url P-256 keys, as `web-push generate-vapid-keys` prints them. */
  publicKey: string;
  privateKey: string;
}

export interface WebPushOptions {
  vapid: VapidKeys;
  /** Extra trusted CA certificates (PEM), e.g. a local stand-in's. */
  ca?: string;
  timeoutMs?: number;
  /** How long the push service keeps an undelivered notification (seconds). */
  ttlSeconds?: number;
}

export class WebPushProvider implements PushProvider {
  readonly platform = 'web' as const;
  /** The applicationServerKey browsers subscribe with. */
  readonly publicKey: string;
  private readonly agent: https.Agent;

  constructor(private readonly options: WebPushOptions) {
    this.publicKey = options.vapid.publicKey;
    this.agent = new https.Agent({ keepAlive: true, ...(options.ca ? { ca: options.ca } : {}) });
  }

  async send(device: PushDeviceRecord, payload: PushPayload): Promise<SendOutcome> {
    if (!device.subscription) return { status: 'failed', reason: 'no_subscription' };
    try {
      await webpush.sendNotification(device.subscription, JSON.stringify(payload), {
        vapidDetails: this.options.vapid,
        TTL: this.options.ttlSeconds ?? 24 * 3600,
        urgency: 'high',
        // The push service keeps only the newest notification per topic for an offline browser.
        topic: topicOf(payload.conversationId),
        contentEncoding: 'aes128gcm',
        agent: this.agent,
        timeout: this.options.timeoutMs ?? 10_000,
      });
      return { status: 'sent' };
    } catch (error) {
      if (!(error instanceof webpush.WebPushError)) return networkOutcome(error);
      return outcomeOf(error.statusCode, error.headers);
    }
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }
}

function outcomeOf(status: number, headers: Record<string, string | string[] | undefined>): SendOutcome {
  if (status === 404 || status === 410) return { status: 'gone', reason: `web_${status}` };
  if (status === 429) {
    const after = retryAfterMs(headers['retry-after']);
    return { status: 'retry', reason: 'rate_limited', ...(after !== undefined ? { retryAfterMs: after } : {}) };
  }
  if (status >= 500) return { status: 'retry', reason: `web_${status}` };
  if (status === 413) return { status: 'failed', reason: 'payload_too_large' };
  return { status: 'failed', reason: `web_${status}` };
}

/** The Topic header: at most 32 base64url characters, so a hash of the conversation. */
export function topicOf(conversationId: string): string {
  return createHash('sha256').update(conversationId).digest('base64url').slice(0, 32);
}

export function generateVapidKeys(): { publicKey: string; privateKey: string } {
  return webpush.generateVAPIDKeys();
}
