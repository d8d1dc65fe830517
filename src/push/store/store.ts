/**
 * What push keeps: push targets (named push devices, apart from the WebSocket
 * device ids of the delivery cursors), per-conversation mutes, each user's
 * notification settings, and how far each (user, conversation) was notified.
 * Implemented for SQLite (embedded) and PostgreSQL (scale-out); every write is
 * durable before it resolves.
 */
import type { NotificationSettings, PushPlatform, WebPushSubscription } from '../../protocol/push.js';

export interface PushDeviceRecord {
  id: string;
  userId: string;
  platform: PushPlatform;
  /** The APNs or FCM token; for Web Push the subscription's endpoint. Unique per platform. */
  token: string;
  /** Web Push only: the subscription with its keys. */
  subscription: WebPushSubscription | null;
  createdAt: string;
}

export type NewPushDevice = PushDeviceRecord;

export interface PushSettingsPatch {
  doNotDisturb?: boolean;
  doNotDisturbUntil?: string | null;
  hidePreviews?: boolean;
}

export const DEFAULT_SETTINGS: NotificationSettings = {
  doNotDisturb: false,
  doNotDisturbUntil: null,
  hidePreviews: false,
};

export interface PushStore {
  /**
   * Registers a push target. The same (platform, token) registered again, by
   * this user or another (a phone changing hands), keeps one row: it moves to
   * this user and resolves with its first id. Beyond `maxPerUser` the user's
   * oldest targets are removed.
   */
  registerDevice(device: NewPushDevice, maxPerUser: number): Promise<PushDeviceRecord>;
  deviceById(id: string): Promise<PushDeviceRecord | null>;
  /** The user's push targets, oldest first. */
  devicesOf(userId: string): Promise<PushDeviceRecord[]>;
  /** Deletes the target; with `userId`, only when it is that user's. False when nothing was deleted. */
  deleteDevice(id: string, userId?: string): Promise<boolean>;
  /** Those of `userIds` that have at least one push target (one query whatever the count). */
  usersWithDevices(userIds: readonly string[]): Promise<string[]>;

  /** Mutes the conversation for the user, until a time or (null) until unmuted. */
  setMute(userId: string, conversationId: string, until: string | null): Promise<void>;
  clearMute(userId: string, conversationId: string): Promise<void>;
  /** The mute, expired or not, or null. */
  muteOf(userId: string, conversationId: string): Promise<{ until: string | null } | null>;

  /** The user's settings, defaults when never set. */
  settings(userId: string): Promise<NotificationSettings>;
  updateSettings(userId: string, patch: PushSettingsPatch): Promise<NotificationSettings>;

  /**
   * Moves the (user, conversation) notified mark forward to `seq`, atomically,
   * and resolves with the mark before: the caller owns the seqs above it up to
   * `seq`, so two nodes never notify the same messages. Never moves backwards.
   */
  advanceNotified(userId: string, conversationId: string, seq: number): Promise<number>;
}
