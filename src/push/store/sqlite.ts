/** PushStore on SQLite (embedded, one node). */
import type { NotificationSettings } from '../../protocol/push.js';
import { type Db, type Observe, timed } from '../../store/sqlite/database.js';
import { DEVICE_COLUMNS, definedOnly, type PushDeviceRow, type SettingsRow, toDevice, toSettings } from './rows.js';
import {
  DEFAULT_SETTINGS,
  type NewPushDevice,
  type PushDeviceRecord,
  type PushSettingsPatch,
  type PushStore,
} from './store.js';

export class SqlitePushStore implements PushStore {
  private readonly statements;
  private readonly registerTransaction;
  private readonly updateSettingsTransaction;

  constructor(
    db: Db,
    private readonly observe?: Observe,
  ) {
    this.statements = {
      upsertDevice: db.prepare<[string, string, string, string, string | null, string], PushDeviceRow>(
        `INSERT INTO push_devices (${DEVICE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (platform, token) DO UPDATE SET user_id = excluded.user_id,
           subscription_json = excluded.subscription_json
         RETURNING ${DEVICE_COLUMNS}`,
      ),
      trimDevices: db.prepare<[string, string, number]>(
        `DELETE FROM push_devices WHERE user_id = ? AND id IN (
           SELECT id FROM push_devices WHERE user_id = ? ORDER BY created_at DESC, rowid DESC LIMIT -1 OFFSET ?)`,
      ),
      byId: db.prepare<[string], PushDeviceRow>(`SELECT ${DEVICE_COLUMNS} FROM push_devices WHERE id = ?`),
      ofUser: db.prepare<[string], PushDeviceRow>(
        `SELECT ${DEVICE_COLUMNS} FROM push_devices WHERE user_id = ? ORDER BY created_at, rowid`,
      ),
      delete: db.prepare<[string]>('DELETE FROM push_devices WHERE id = ?'),
      deleteOwn: db.prepare<[string, string]>('DELETE FROM push_devices WHERE id = ? AND user_id = ?'),
      usersWithDevices: db
        .prepare<[string], string>(
          'SELECT DISTINCT user_id FROM push_devices WHERE user_id IN (SELECT value FROM json_each(?))',
        )
        .pluck(),
      setMute: db.prepare<[string, string, string | null]>(
        `INSERT INTO push_mutes (user_id, conversation_id, until) VALUES (?, ?, ?)
         ON CONFLICT (user_id, conversation_id) DO UPDATE SET until = excluded.until`,
      ),
      clearMute: db.prepare<[string, string]>('DELETE FROM push_mutes WHERE user_id = ? AND conversation_id = ?'),
      muteOf: db.prepare<[string, string], { until: string | null }>(
        'SELECT until FROM push_mutes WHERE user_id = ? AND conversation_id = ?',
      ),
      settings: db.prepare<[string], SettingsRow>(
        'SELECT do_not_disturb, do_not_disturb_until, hide_previews FROM push_settings WHERE user_id = ?',
      ),
      putSettings: db.prepare<[string, number, string | null, number]>(
        `INSERT INTO push_settings (user_id, do_not_disturb, do_not_disturb_until, hide_previews)
         VALUES (?, ?, ?, ?)
         ON CONFLICT (user_id) DO UPDATE SET do_not_disturb = excluded.do_not_disturb,
           do_not_disturb_until = excluded.do_not_disturb_until, hide_previews = excluded.hide_previews`,
      ),
      markOf: db
        .prepare<[string, string], number>(
          'SELECT notified_seq FROM push_marks WHERE user_id = ? AND conversation_id = ?',
        )
        .pluck(),
      putMark: db.prepare<[string, string, number]>(
        `INSERT INTO push_marks (user_id, conversation_id, notified_seq) VALUES (?, ?, ?)
         ON CONFLICT (user_id, conversation_id) DO UPDATE SET notified_seq = max(notified_seq, excluded.notified_seq)`,
      ),
    };
    this.registerTransaction = db.transaction((device: NewPushDevice, maxPerUser: number) => {
      const row = this.statements.upsertDevice.get(
        device.id,
        device.userId,
        device.platform,
        device.token,
        device.subscription ? JSON.stringify(device.subscription) : null,
        device.createdAt,
      );
      if (!row) throw new Error('push device upsert returned nothing');
      this.statements.trimDevices.run(device.userId, device.userId, maxPerUser);
      return toDevice(row);
    });
    this.updateSettingsTransaction = db.transaction((userId: string, patch: PushSettingsPatch) => {
      const current = this.readSettings(userId);
      const next = { ...current, ...definedOnly(patch) };
      this.statements.putSettings.run(
        userId,
        next.doNotDisturb ? 1 : 0,
        next.doNotDisturbUntil,
        next.hidePreviews ? 1 : 0,
      );
      return next;
    });
  }

  registerDevice(device: NewPushDevice, maxPerUser: number): Promise<PushDeviceRecord> {
    return timed(this.observe, 'push.registerDevice', () => this.registerTransaction.immediate(device, maxPerUser));
  }

  deviceById(id: string): Promise<PushDeviceRecord | null> {
    return timed(this.observe, 'push.deviceById', () => {
      const row = this.statements.byId.get(id);
      return row ? toDevice(row) : null;
    });
  }

  devicesOf(userId: string): Promise<PushDeviceRecord[]> {
    return timed(this.observe, 'push.devicesOf', () => this.statements.ofUser.all(userId).map(toDevice));
  }

  deleteDevice(id: string, userId?: string): Promise<boolean> {
    return timed(this.observe, 'push.deleteDevice', () => {
      const result = userId === undefined ? this.statements.delete.run(id) : this.statements.deleteOwn.run(id, userId);
      return result.changes > 0;
    });
  }

  usersWithDevices(userIds: readonly string[]): Promise<string[]> {
    return timed(this.observe, 'push.usersWithDevices', () =>
      userIds.length === 0 ? [] : this.statements.usersWithDevices.all(JSON.stringify(userIds)),
    );
  }

  setMute(userId: string, conversationId: string, until: string | null): Promise<void> {
    return timed(this.observe, 'push.setMute', () => {
      this.statements.setMute.run(userId, conversationId, until);
    });
  }

  clearMute(userId: string, conversationId: string): Promise<void> {
    return timed(this.observe, 'push.clearMute', () => {
      this.statements.clearMute.run(userId, conversationId);
    });
  }

  muteOf(userId: string, conversationId: string): Promise<{ until: string | null } | null> {
    return timed(this.observe, 'push.muteOf', () => this.statements.muteOf.get(userId, conversationId) ?? null);
  }

  settings(userId: string): Promise<NotificationSettings> {
    return timed(this.observe, 'push.settings', () => this.readSettings(userId));
  }

  updateSettings(userId: string, patch: PushSettingsPatch): Promise<NotificationSettings> {
    return timed(this.observe, 'push.updateSettings', () => this.updateSettingsTransaction.immediate(userId, patch));
  }

  advanceNotified(userId: string, conversationId: string, seq: number): Promise<number> {
    // On the writer thread, one statement after another: nothing interleaves between the read and the write.
    return timed(this.observe, 'push.advanceNotified', () => {
      const before = this.statements.markOf.get(userId, conversationId) ?? 0;
      if (seq > before) this.statements.putMark.run(userId, conversationId, seq);
      return before;
    });
  }

  private readSettings(userId: string): NotificationSettings {
    const row = this.statements.settings.get(userId);
    return row ? toSettings(row) : { ...DEFAULT_SETTINGS };
  }
}
