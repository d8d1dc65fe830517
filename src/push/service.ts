/**
 * What the REST routes ask of push: push targets, mutes, notification
 * settings, and the Web Push public key a browser subscribes with.
 */
import { requireMember } from '../domain/access.js';
import { type Clock, newId } from '../domain/clock.js';
import { ChatError } from '../protocol/errors.js';
import {
  type ConversationMute,
  type NotificationSettings,
  PUSH_LIMITS,
  type PushDevice,
  type PushPlatform,
  type RegisterDeviceInput,
} from '../protocol/push.js';
import type { ConversationStore } from '../store/stores.js';
import type { PushDeviceRecord, PushSettingsPatch, PushStore } from './store/store.js';

export interface PushServiceDeps {
  push: PushStore;
  conversations: ConversationStore;
  clock: Clock;
  webPushPublicKey: string | null;
  platforms: ReadonlySet<PushPlatform>;
  /** Hosts a Web Push endpoint may name (with their subdomains); `*`: any. */
  webPushHosts: readonly string[];
}

export interface PushConfig {
  /** The VAPID public key for PushManager.subscribe (applicationServerKey); null without Web Push. */
  webPushPublicKey: string | null;
  /** Platforms this server can push to. */
  platforms: PushPlatform[];
}

export class PushService {
  constructor(private readonly deps: PushServiceDeps) {}

  config(): PushConfig {
    return { webPushPublicKey: this.deps.webPushPublicKey, platforms: [...this.deps.platforms].sort() };
  }

  async registerDevice(userId: string, input: RegisterDeviceInput): Promise<PushDevice> {
    const isWeb = input.platform === 'web';
    if (isWeb && !allowedEndpoint(input.subscription.endpoint, this.deps.webPushHosts)) {
      throw new ChatError('invalid_request', 'the subscription endpoint is not a push service this server sends to');
    }
    const record = await this.deps.push.registerDevice(
      {
        id: newId(),
        userId,
        platform: input.platform,
        token: isWeb ? input.subscription.endpoint : input.token,
        subscription: isWeb ? { endpoint: input.subscription.endpoint, keys: input.subscription.keys } : null,
        createdAt: this.deps.clock.now().toISOString(),
      },
      PUSH_LIMITS.devicesPerUser,
    );
    return toPushDevice(record);
  }

  async listDevices(userId: string): Promise<PushDevice[]> {
    return (await this.deps.push.devicesOf(userId)).map(toPushDevice);
  }

  async deleteDevice(userId: string, deviceId: string): Promise<void> {
    if (!(await this.deps.push.deleteDevice(deviceId, userId))) throw new ChatError('not_found', 'device not found');
  }

  async mute(userId: string, conversationId: string, until: string | null): Promise<ConversationMute> {
    await requireMember(this.deps.conversations, conversationId, userId);
    const normalised = until === null ? null : new Date(until).toISOString();
    await this.deps.push.setMute(userId, conversationId, normalised);
    return { conversationId, until: normalised };
  }

  async unmute(userId: string, conversationId: string): Promise<void> {
    await requireMember(this.deps.conversations, conversationId, userId);
    await this.deps.push.clearMute(userId, conversationId);
  }

  /** The mute in force, or null (an expired one counts as none). */
  async muteOf(userId: string, conversationId: string): Promise<ConversationMute | null> {
    await requireMember(this.deps.conversations, conversationId, userId);
    const mute = await this.deps.push.muteOf(userId, conversationId);
    if (!mute || (mute.until !== null && mute.until <= this.deps.clock.now().toISOString())) return null;
    return { conversationId, until: mute.until };
  }

  settings(userId: string): Promise<NotificationSettings> {
    return this.deps.push.settings(userId);
  }

  updateSettings(userId: string, patch: PushSettingsPatch): Promise<NotificationSettings> {
    const normalised: PushSettingsPatch = { ...patch };
    if (patch.doNotDisturbUntil) normalised.doNotDisturbUntil = new Date(patch.doNotDisturbUntil).toISOString();
    return this.deps.push.updateSettings(userId, normalised);
  }
}

/** The server POSTs to the endpoint: only to known push services, never to an arbitrary (internal) host. */
export function allowedEndpoint(endpoint: string, hosts: readonly string[]): boolean {
  if (hosts.includes('*')) return true;
  const host = new URL(endpoint).hostname.toLowerCase();
  return hosts.some((allowed) => host === allowed || host.endsWith(`.${allowed}`));
}

function toPushDevice(record: PushDeviceRecord): PushDevice {
  return { id: record.id, platform: record.platform, createdAt: record.createdAt };
}
