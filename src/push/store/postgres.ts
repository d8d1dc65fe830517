/** PushStore on PostgreSQL (scale-out: every node shares it). */
import type pg from 'pg';
import type { NotificationSettings } from '../../protocol/push.js';
import { type Observe, timed, transaction } from '../../store/postgres/pool.js';
import { DEVICE_COLUMNS, definedOnly, type PushDeviceRow, type SettingsRow, toDevice, toSettings } from './rows.js';
import {
  DEFAULT_SETTINGS,
  type NewPushDevice,
  type PushDeviceRecord,
  type PushSettingsPatch,
  type PushStore,
} from './store.js';

const SETTINGS_COLUMNS = 'do_not_disturb, do_not_disturb_until, hide_previews';

export class PostgresPushStore implements PushStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly observe?: Observe,
  ) {}

  registerDevice(device: NewPushDevice, maxPerUser: number): Promise<PushDeviceRecord> {
    return timed(this.observe, 'push.registerDevice', () =>
      transaction(this.pool, async (client) => {
        const { rows } = await client.query<PushDeviceRow>(
          `INSERT INTO push_devices (${DEVICE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (platform, token) DO UPDATE SET user_id = excluded.user_id,
             subscription_json = excluded.subscription_json
           RETURNING ${DEVICE_COLUMNS}`,
          [
            device.id,
            device.userId,
            device.platform,
            device.token,
            device.subscription ? JSON.stringify(device.subscription) : null,
            device.createdAt,
          ],
        );
        const row = rows[0];
        if (!row) throw new Error('push device upsert returned nothing');
        await client.query(
          `DELETE FROM push_devices WHERE id IN (
             SELECT id FROM push_devices WHERE user_id = $1 ORDER BY created_at DESC, id DESC OFFSET $2)`,
          [device.userId, maxPerUser],
        );
        return toDevice(row);
      }),
    );
  }

  deviceById(id: string): Promise<PushDeviceRecord | null> {
    return timed(this.observe, 'push.deviceById', async () => {
      const { rows } = await this.pool.query<PushDeviceRow>(
        `SELECT ${DEVICE_COLUMNS} FROM push_devices WHERE id = $1`,
        [id],
      );
      return rows[0] ? toDevice(rows[0]) : null;
    });
  }

  devicesOf(userId: string): Promise<PushDeviceRecord[]> {
    return timed(this.observe, 'push.devicesOf', async () => {
      const { rows } = await this.pool.query<PushDeviceRow>(
        `SELECT ${DEVICE_COLUMNS} FROM push_devices WHERE user_id = $1 ORDER BY created_at, id`,
        [userId],
      );
      return rows.map(toDevice);
    });
  }

  deleteDevice(id: string, userId?: string): Promise<boolean> {
    return timed(this.observe, 'push.deleteDevice', async () => {
      const { rowCount } =
        userId === undefined
          ? await this.pool.query('DELETE FROM push_devices WHERE id = $1', [id])
          : await this.pool.query('DELETE FROM push_devices WHERE id = $1 AND user_id = $2', [id, userId]);
      return (rowCount ?? 0) > 0;
    });
  }

  usersWithDevices(userIds: readonly string[]): Promise<string[]> {
    return timed(this.observe, 'push.usersWithDevices', async () => {
      if (userIds.length === 0) return [];
      const { rows } = await this.pool.query<{ user_id: string }>(
        'SELECT DISTINCT user_id FROM push_devices WHERE user_id = ANY($1::text[])',
        [userIds],
      );
      return rows.map((row) => row.user_id);
    });
  }

  setMute(userId: string, conversationId: string, until: string | null): Promise<void> {
    return timed(this.observe, 'push.setMute', async () => {
      await this.pool.query(
        `INSERT INTO push_mutes (user_id, conversation_id, until) VALUES ($1, $2, $3)
         ON CONFLICT (user_id, conversation_id) DO UPDATE SET until = excluded.until`,
        [userId, conversationId, until],
      );
    });
  }

  clearMute(userId: string, conversationId: string): Promise<void> {
    return timed(this.observe, 'push.clearMute', async () => {
      await this.pool.query('DELETE FROM push_mutes WHERE user_id = $1 AND conversation_id = $2', [
        userId,
        conversationId,
      ]);
    });
  }

  muteOf(userId: string, conversationId: string): Promise<{ until: string | null } | null> {
    return timed(this.observe, 'push.muteOf', async () => {
      const { rows } = await this.pool.query<{ until: string | null }>(
        'SELECT until FROM push_mutes WHERE user_id = $1 AND conversation_id = $2',
        [userId, conversationId],
      );
      return rows[0] ?? null;
    });
  }

  settings(userId: string): Promise<NotificationSettings> {
    return timed(this.observe, 'push.settings', async () => {
      const { rows } = await this.pool.query<SettingsRow>(
        `SELECT ${SETTINGS_COLUMNS} FROM push_settings WHERE user_id = $1`,
        [userId],
      );
      return rows[0] ? toSettings(rows[0]) : { ...DEFAULT_SETTINGS };
    });
  }

  updateSettings(userId: string, patch: PushSettingsPatch): Promise<NotificationSettings> {
    return timed(this.observe, 'push.updateSettings', () =>
      transaction(this.pool, async (client) => {
        await client.query('INSERT INTO push_settings (user_id) VALUES ($1) ON CONFLICT (user_id) DO NOTHING', [
          userId,
        ]);
        const { rows } = await client.query<SettingsRow>(
          `SELECT ${SETTINGS_COLUMNS} FROM push_settings WHERE user_id = $1 FOR UPDATE`,
          [userId],
        );
        const current = rows[0] ? toSettings(rows[0]) : { ...DEFAULT_SETTINGS };
        const next = { ...current, ...definedOnly(patch) };
        await client.query(
          `UPDATE push_settings SET do_not_disturb = $2, do_not_disturb_until = $3, hide_previews = $4
            WHERE user_id = $1`,
          [userId, next.doNotDisturb, next.doNotDisturbUntil, next.hidePreviews],
        );
        return next;
      }),
    );
  }

  advanceNotified(userId: string, conversationId: string, seq: number): Promise<number> {
    // The row lock orders concurrent calls: the second sees the first's mark.
    return timed(this.observe, 'push.advanceNotified', () =>
      transaction(this.pool, async (client) => {
        await client.query(
          `INSERT INTO push_marks (user_id, conversation_id, notified_seq) VALUES ($1, $2, 0)
           ON CONFLICT (user_id, conversation_id) DO NOTHING`,
          [userId, conversationId],
        );
        const { rows } = await client.query<{ notified_seq: number }>(
          'SELECT notified_seq FROM push_marks WHERE user_id = $1 AND conversation_id = $2 FOR UPDATE',
          [userId, conversationId],
        );
        const before = Number(rows[0]?.notified_seq ?? 0);
        if (seq > before) {
          await client.query('UPDATE push_marks SET notified_seq = $3 WHERE user_id = $1 AND conversation_id = $2', [
            userId,
            conversationId,
            seq,
          ]);
        }
        return before;
      }),
    );
  }
}
