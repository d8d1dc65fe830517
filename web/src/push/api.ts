/**
 * The push routes the web client uses: the server's VAPID key, the push
 * target for this browser, and the user's notification settings.
 */
import type { NotificationSettings, PushDevice } from '../../../src/protocol/push.js';

export interface PushConfig {
  webPushPublicKey: string | null;
  platforms: string[];
}

async function call<T>(baseUrl: string, token: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(new URL(path, baseUrl).toString(), {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) {
    const error = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new Error(error?.error?.message ?? `HTTP ${res.status}`);
  }
  return (res.status === 204 ? undefined : await res.json()) as T;
}

export const pushApi = {
  config: (baseUrl: string, token: string) => call<PushConfig>(baseUrl, token, 'GET', '/api/v1/push/config'),
  register: (baseUrl: string, token: string, subscription: PushSubscriptionJSON) =>
    call<{ device: PushDevice }>(baseUrl, token, 'POST', '/api/v1/devices', {
      platform: 'web',
      subscription: {
        endpoint: subscription.endpoint,
        expirationTime: subscription.expirationTime ?? null,
        keys: subscription.keys,
      },
    }),
  remove: (baseUrl: string, token: string, deviceId: string) =>
    call<void>(baseUrl, token, 'DELETE', `/api/v1/devices/${encodeURIComponent(deviceId)}`),
  settings: (baseUrl: string, token: string) =>
    call<{ settings: NotificationSettings }>(baseUrl, token, 'GET', '/api/v1/users/me/notifications'),
  updateSettings: (baseUrl: string, token: string, patch: Partial<NotificationSettings>) =>
    call<{ settings: NotificationSettings }>(baseUrl, token, 'PATCH', '/api/v1/users/me/notifications', patch),
};

/** The VAPID key as PushManager.subscribe wants it (base64url → bytes). */
export function applicationServerKey(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(base64url.length / 4) * 4, '=');
  const binary = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
