/**
 * Push notifications on the wire: the push targets (`/api/v1/devices`), mutes,
 * the notification settings, and the payload a device receives. Shared with
 * the clients (the web client's service worker reads PushPayload).
 */
import { z } from 'zod';

export type PushPlatform = 'web' | 'ios' | 'android';

/** A push target: an APNs or FCM token, or a browser's Web Push subscription. */
export interface PushDevice {
  id: string;
  platform: PushPlatform;
  createdAt: string;
}

export interface ConversationMute {
  conversationId: string;
  /** Muted until this time; null: until unmuted. */
  until: string | null;
}

export interface NotificationSettings {
  /** No notification at all while on (and before doNotDisturbUntil, when set). */
  doNotDisturb: boolean;
  doNotDisturbUntil: string | null;
  /** Notifications name neither the sender nor the text: "2 new messages". */
  hidePreviews: boolean;
}

/** What a device receives (Web Push: the decrypted JSON; APNs and FCM carry the same fields). */
export interface PushPayload {
  title: string;
  body: string;
  conversationId: string;
  /** The newest message the notification covers. */
  messageId: string;
  /** Messages this notification covers (coalesced). */
  count: number;
  /** The recipient's unread messages over every conversation. */
  badge: number;
  sound: 'default';
  /** Present (true) when a covered message @mentions the recipient. */
  mention?: true;
}

export const PUSH_LIMITS = {
  /** APNs tokens are 64-200 hex digits, FCM tokens a few hundred characters. */
  tokenLength: 4096,
  endpointLength: 2048,
  devicesPerUser: 20,
} as const;

/** Base64url of exactly `bytes` bytes, padded or not (checked by length: no Node Buffer here). */
const base64url = (bytes: number) => {
  const chars = Math.ceil((bytes * 4) / 3);
  return z
    .string()
    .regex(new RegExp(`^[A-Za-z0-9_-]{${chars}}=*$`), `must be the base64url of ${bytes} bytes`)
    .max(chars + 2);
};

/** PushSubscription.toJSON() of a browser. */
export const webPushSubscription = z.object({
  endpoint: z.url({ protocol: /^https$/ }).max(PUSH_LIMITS.endpointLength),
  expirationTime: z.number().nullable().optional(),
  keys: z.object({
    /** The browser's P-256 public key, uncompressed (65 bytes). */
    p256dh: base64url(65),
    /** The shared authentication secret (16 bytes). */
    auth: base64url(16),
  }),
});
export type WebPushSubscription = z.infer<typeof webPushSubscription>;

const token = z
  .string()
  .min(1)
  .max(PUSH_LIMITS.tokenLength)
  .regex(/^[A-Za-z0-9_:.-]+$/, 'must be a push token');

export const registerDeviceBody = z.discriminatedUnion('platform', [
  z.object({ platform: z.literal('web'), subscription: webPushSubscription, token: z.undefined().optional() }),
  z.object({ platform: z.literal('ios'), token, subscription: z.undefined().optional() }),
  z.object({ platform: z.literal('android'), token, subscription: z.undefined().optional() }),
]);
export type RegisterDeviceInput = z.infer<typeof registerDeviceBody>;

const isoTime = z.iso.datetime({ offset: true }).max(40);

export const muteBody = z.object({ until: isoTime.nullable().optional() }).strict();

export const notificationSettingsBody = z
  .object({
    doNotDisturb: z.boolean().optional(),
    doNotDisturbUntil: isoTime.nullable().optional(),
    hidePreviews: z.boolean().optional(),
  })
  .strict();
