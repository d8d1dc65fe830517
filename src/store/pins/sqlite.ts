/** PinStore on SQLite (embedded, one node). Writes run on the writer thread, one after another. */
import type { ChatSettings } from '../../protocol/pins.js';
import { type Db, type Observe, timed } from '../sqlite/database.js';
import {
  type ChatStateRow,
  defaultState,
  PIN_COLUMNS,
  type PinnedMessageRow,
  STATE_COLUMNS,
  toPin,
  toState,
} from './rows.js';
import {
  type ChatStateRecord,
  DEFAULT_CHAT_SETTINGS,
  type PinMessageResult,
  type PinnedMessageRecord,
  type PinStore,
} from './store.js';

export class SqlitePinStore implements PinStore {
  private readonly statements;
  private readonly pinChatTransaction;
  private readonly unarchiveForTransaction;
  private readonly pinMessageTransaction;
  private readonly unpinMessageTransaction;

  constructor(
    db: Db,
    private readonly observe?: Observe,
  ) {
    this.statements = {
      statesOf: db.prepare<[string], ChatStateRow>(
        `SELECT ${STATE_COLUMNS} FROM chat_states
          WHERE user_id = ? AND (pinned_at IS NOT NULL OR archived_at IS NOT NULL)
          ORDER BY pin_rank DESC NULLS LAST, conversation_id`,
      ),
      stateOf: db.prepare<[string, string], ChatStateRow>(
        `SELECT ${STATE_COLUMNS} FROM chat_states WHERE user_id = ? AND conversation_id = ?`,
      ),
      // Pins of conversations the user left do not count: they are out of sight and could never be unpinned.
      otherPins: db
        .prepare<[string, string], number>(
          `SELECT count(*) FROM chat_states s
             JOIN memberships m ON m.conversation_id = s.conversation_id AND m.user_id = s.user_id
                               AND m.visible_to_seq IS NULL
            WHERE s.user_id = ? AND s.pinned_at IS NOT NULL AND s.conversation_id <> ?`,
        )
        .pluck(),
      pin: db.prepare<[{ userId: string; conversationId: string; at: string }]>(
        `INSERT INTO chat_states (user_id, conversation_id, pinned_at, pin_rank, archived_at)
         VALUES (@userId, @conversationId, @at,
                 (SELECT coalesce(max(pin_rank), 0) + 1 FROM chat_states WHERE user_id = @userId), NULL)
         ON CONFLICT (user_id, conversation_id) DO UPDATE SET
           pin_rank = CASE WHEN pinned_at IS NULL THEN excluded.pin_rank ELSE pin_rank END,
           pinned_at = coalesce(pinned_at, excluded.pinned_at),
           archived_at = NULL`,
      ),
      unpin: db.prepare<[string, string]>(
        'UPDATE chat_states SET pinned_at = NULL, pin_rank = NULL WHERE user_id = ? AND conversation_id = ?',
      ),
      archive: db.prepare<[string, string, string]>(
        `INSERT INTO chat_states (user_id, conversation_id, pinned_at, pin_rank, archived_at)
         VALUES (?, ?, NULL, NULL, ?)
         ON CONFLICT (user_id, conversation_id) DO UPDATE SET
           pinned_at = NULL, pin_rank = NULL, archived_at = coalesce(archived_at, excluded.archived_at)`,
      ),
      unarchive: db.prepare<[string, string]>(
        'UPDATE chat_states SET archived_at = NULL WHERE user_id = ? AND conversation_id = ?',
      ),
      archivedBy: db
        .prepare<[string, string], string>(
          `SELECT s.user_id FROM chat_states s
             LEFT JOIN chat_settings c ON c.user_id = s.user_id
            WHERE s.conversation_id = ? AND s.archived_at IS NOT NULL AND s.archived_at <= ?
              AND coalesce(c.keep_archived, 0) = 0
            ORDER BY s.user_id`,
        )
        .pluck(),
      unarchiveOne: db.prepare<[string, string, string]>(
        `UPDATE chat_states SET archived_at = NULL
          WHERE conversation_id = ? AND user_id = ? AND archived_at IS NOT NULL AND archived_at <= ?`,
      ),
      settings: db.prepare<[string], { keep_archived: number }>(
        'SELECT keep_archived FROM chat_settings WHERE user_id = ?',
      ),
      putSettings: db.prepare<[string, number]>(
        `INSERT INTO chat_settings (user_id, keep_archived) VALUES (?, ?)
         ON CONFLICT (user_id) DO UPDATE SET keep_archived = excluded.keep_archived`,
      ),
      pins: db.prepare<[string], PinnedMessageRow>(
        `SELECT ${PIN_COLUMNS} FROM pinned_messages WHERE conversation_id = ? ORDER BY pos DESC`,
      ),
      insertPin: db.prepare<[string, string, string, string]>(
        `INSERT INTO pinned_messages (${PIN_COLUMNS}) VALUES (?, ?, ?, ?)
         ON CONFLICT (conversation_id, message_id) DO NOTHING`,
      ),
      deletePin: db.prepare<[string, string]>(
        'DELETE FROM pinned_messages WHERE conversation_id = ? AND message_id = ?',
      ),
    };
    this.pinChatTransaction = db.transaction(
      (userId: string, conversationId: string, at: string, max: number): ChatStateRecord | null => {
        const current = this.readState(userId, conversationId);
        if (current.pinnedAt === null && (this.statements.otherPins.get(userId, conversationId) ?? 0) >= max)
          return null;
        this.statements.pin.run({ userId, conversationId, at });
        return this.readState(userId, conversationId);
      },
    );
    this.unarchiveForTransaction = db.transaction((conversationId: string, userIds: readonly string[], at: string) =>
      userIds.filter((userId) => this.statements.unarchiveOne.run(conversationId, userId, at).changes > 0),
    );
    this.pinMessageTransaction = db.transaction((pin: PinnedMessageRecord, max: number): PinMessageResult => {
      const created = this.statements.insertPin.run(pin.conversationId, pin.messageId, pin.pinnedBy, pin.pinnedAt);
      const all = this.readPins(pin.conversationId);
      const replaced = all.slice(Math.max(max, 0));
      for (const old of replaced) this.statements.deletePin.run(old.conversationId, old.messageId);
      return { pins: all.slice(0, max), created: created.changes > 0, replaced };
    });
    this.unpinMessageTransaction = db.transaction((conversationId: string, messageId: string) => {
      const removed = this.statements.deletePin.run(conversationId, messageId).changes > 0;
      return { pins: this.readPins(conversationId), removed };
    });
  }

  statesOf(userId: string): Promise<ChatStateRecord[]> {
    return timed(this.observe, 'pins.statesOf', () => this.statements.statesOf.all(userId).map(toState));
  }

  stateOf(userId: string, conversationId: string): Promise<ChatStateRecord> {
    return timed(this.observe, 'pins.stateOf', () => this.readState(userId, conversationId));
  }

  pinChat(userId: string, conversationId: string, at: string, max: number): Promise<ChatStateRecord | null> {
    return timed(this.observe, 'pins.pinChat', () =>
      this.pinChatTransaction.immediate(userId, conversationId, at, max),
    );
  }

  unpinChat(userId: string, conversationId: string): Promise<ChatStateRecord> {
    return timed(this.observe, 'pins.unpinChat', () => {
      this.statements.unpin.run(userId, conversationId);
      return this.readState(userId, conversationId);
    });
  }

  archiveChat(userId: string, conversationId: string, at: string): Promise<ChatStateRecord> {
    return timed(this.observe, 'pins.archiveChat', () => {
      this.statements.archive.run(userId, conversationId, at);
      return this.readState(userId, conversationId);
    });
  }

  unarchiveChat(userId: string, conversationId: string): Promise<ChatStateRecord> {
    return timed(this.observe, 'pins.unarchiveChat', () => {
      this.statements.unarchive.run(userId, conversationId);
      return this.readState(userId, conversationId);
    });
  }

  archivedBy(conversationId: string, at: string): Promise<string[]> {
    return timed(this.observe, 'pins.archivedBy', () => this.statements.archivedBy.all(conversationId, at));
  }

  unarchiveFor(conversationId: string, userIds: readonly string[], at: string): Promise<string[]> {
    return timed(this.observe, 'pins.unarchiveFor', () =>
      userIds.length === 0 ? [] : this.unarchiveForTransaction.immediate(conversationId, userIds, at),
    );
  }

  chatSettings(userId: string): Promise<ChatSettings> {
    return timed(this.observe, 'pins.chatSettings', () => {
      const row = this.statements.settings.get(userId);
      return row ? { keepArchived: row.keep_archived === 1 } : { ...DEFAULT_CHAT_SETTINGS };
    });
  }

  updateChatSettings(userId: string, settings: ChatSettings): Promise<ChatSettings> {
    return timed(this.observe, 'pins.updateChatSettings', () => {
      this.statements.putSettings.run(userId, settings.keepArchived ? 1 : 0);
      return { keepArchived: settings.keepArchived };
    });
  }

  pinnedMessages(conversationId: string): Promise<PinnedMessageRecord[]> {
    return timed(this.observe, 'pins.pinnedMessages', () => this.readPins(conversationId));
  }

  pinMessage(pin: PinnedMessageRecord, max: number): Promise<PinMessageResult> {
    return timed(this.observe, 'pins.pinMessage', () => this.pinMessageTransaction.immediate(pin, max));
  }

  unpinMessage(conversationId: string, messageId: string): Promise<{ pins: PinnedMessageRecord[]; removed: boolean }> {
    return timed(this.observe, 'pins.unpinMessage', () =>
      this.unpinMessageTransaction.immediate(conversationId, messageId),
    );
  }

  private readState(userId: string, conversationId: string): ChatStateRecord {
    const row = this.statements.stateOf.get(userId, conversationId);
    return row ? toState(row) : defaultState(userId, conversationId);
  }

  private readPins(conversationId: string): PinnedMessageRecord[] {
    return this.statements.pins.all(conversationId).map(toPin);
  }
}
