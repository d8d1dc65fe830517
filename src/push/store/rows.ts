/** Row shapes shared by the SQLite and PostgreSQL push stores, and their mappers. */
import type { NotificationSettings, PushPlatform, WebPushSubscription } from '../../protocol/push.js';
import type { Job } from '../queue/queue.js';
import type { PushDeviceRecord } from './store.js';

export interface PushDeviceRow {
  id: string;
  user_id: string;
  platform: string;
  token: string;
  subscription_json: string | null;
  created_at: string;
}

export const DEVICE_COLUMNS = 'id, user_id, platform, token, subscription_json, created_at';

export function toDevice(row: PushDeviceRow): PushDeviceRecord {
  return {
    id: row.id,
    userId: row.user_id,
    platform: row.platform as PushPlatform,
    token: row.token,
    subscription: row.subscription_json ? (JSON.parse(row.subscription_json) as WebPushSubscription) : null,
    createdAt: row.created_at,
  };
}

export interface SettingsRow {
  do_not_disturb: number | boolean;
  do_not_disturb_until: string | null;
  hide_previews: number | boolean;
}

export function toSettings(row: SettingsRow): NotificationSettings {
  return {
    doNotDisturb: Boolean(row.do_not_disturb),
    doNotDisturbUntil: row.do_not_disturb_until,
    hidePreviews: Boolean(row.hide_previews),
  };
}

export interface JobRow {
  id: string;
  kind: string;
  key: string | null;
  payload: string;
  attempt: number;
  created_at: number;
}

export function toJob(row: JobRow): Job {
  return {
    id: row.id,
    kind: row.kind,
    key: row.key,
    payload: JSON.parse(row.payload) as unknown,
    attempt: Number(row.attempt),
    createdAt: Number(row.created_at),
  };
}

export function definedOnly<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as Partial<T>;
}
