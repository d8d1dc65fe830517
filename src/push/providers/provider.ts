/**
 * Push providers behind one interface: Web Push (VAPID), APNs (HTTP/2, ES256
 * provider token) and FCM (HTTP v1, service-account OAuth token). A provider
 * says what the service answered; the worker decides what to do with it.
 */
import type { PushPayload, PushPlatform } from '../../protocol/push.js';
import type { PushDeviceRecord } from '../store/store.js';

export type SendOutcome =
  | { status: 'sent' }
  /** The token or subscription is dead (APNs 410, FCM UNREGISTERED, Web Push 404/410): delete the device. */
  | { status: 'gone'; reason: string }
  /** Try again later (rate limited, service unavailable, network); retryAfterMs when the service said when. */
  | { status: 'retry'; reason: string; retryAfterMs?: number }
  /** Will not succeed as it is (payload refused, credentials rejected): give up on this notification. */
  | { status: 'failed'; reason: string };

export interface PushProvider {
  readonly platform: PushPlatform;
  send(device: PushDeviceRecord, payload: PushPayload): Promise<SendOutcome>;
  close(): Promise<void>;
}

/** Retry-After as seconds or an HTTP date, in milliseconds; undefined when absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\d+$/.test(text.trim())) return Number(text.trim()) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** A failure to reach the service at all (DNS, TLS, reset, timeout): worth another try. */
export function networkOutcome(error: unknown): SendOutcome {
  const code = (error as { code?: unknown }).code;
  return { status: 'retry', reason: typeof code === 'string' ? `network_${code.toLowerCase()}` : 'network' };
}
