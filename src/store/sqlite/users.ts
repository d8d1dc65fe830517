/** UserStore on SQLite: users, contacts and blocks. */

import { StoreError } from '../errors.js';
import type { NewUser, UserPatch, UserRecord } from '../records.js';
import type { UserStore } from '../stores.js';
import { type Db, isSqliteError, type Observe, timed } from './database.js';
import { qualified, toUser, USER_COLUMNS, type UserRow } from './rows.js';

/** Sorts after every string that starts with a given prefix (binary collation). */
const PREFIX_END = '\u{10FFFF}';

export class SqliteUserStore implements UserStore {
  private readonly statements;

  constructor(
    private readonly db: Db,
    private readonly observe?: Observe,
  ) {
    const contactColumns = qualified(USER_COLUMNS, 'u');
    this.statements = {
      insert: db.prepare(
        `INSERT INTO users (id, username, display_name, avatar_url, phone, password_hash, created_at)
         VALUES (@id, @username, @displayName, NULL, @phone, @passwordHash, @createdAt)`,
      ),
      byId: db.prepare<[string], UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ?`),
      byIds: db.prepare<[string], UserRow>(
        `SELECT ${USER_COLUMNS} FROM users WHERE id IN (SELECT value FROM json_each(?))`,
      ),
      byUsername: db.prepare<[string], UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE username = ?`),
      byPrefix: db.prepare<[string, string, number], UserRow>(
        `SELECT ${USER_COLUMNS} FROM users WHERE username >= ? AND username < ? ORDER BY username LIMIT ?`,
      ),
      addContact: db.prepare('INSERT OR IGNORE INTO contacts (owner_id, contact_id, created_at) VALUES (?, ?, ?)'),
      removeContact: db.prepare('DELETE FROM contacts WHERE owner_id = ? AND contact_id = ?'),
      listContacts: db.prepare<[string], UserRow>(
        `SELECT ${contactColumns} FROM contacts c JOIN users u ON u.id = c.contact_id
          WHERE c.owner_id = ? ORDER BY c.rowid`,
      ),
      isContact: db.prepare<[string, string], { one: number }>(
        'SELECT 1 AS one FROM contacts WHERE owner_id = ? AND contact_id = ?',
      ),
      block: db.prepare('INSERT OR IGNORE INTO blocks (blocker_id, blocked_id, created_at) VALUES (?, ?, ?)'),
      unblock: db.prepare('DELETE FROM blocks WHERE blocker_id = ? AND blocked_id = ?'),
      listBlocked: db.prepare<[string], UserRow>(
        `SELECT ${contactColumns} FROM blocks b JOIN users u ON u.id = b.blocked_id
          WHERE b.blocker_id = ? ORDER BY b.created_at, b.rowid`,
      ),
      isBlocked: db.prepare<[string, string], { one: number }>(
        'SELECT 1 AS one FROM blocks WHERE blocker_id = ? AND blocked_id = ?',
      ),
    };
  }

  create(user: NewUser): Promise<UserRecord> {
    return timed(this.observe, 'users.create', () => {
      try {
        this.statements.insert.run({
          id: user.id,
          username: user.username,
          displayName: user.displayName,
          phone: user.phone,
          passwordHash: user.passwordHash,
          createdAt: user.createdAt,
        });
      } catch (err) {
        if (isSqliteError(err, 'SQLITE_CONSTRAINT_UNIQUE') && err.message.includes('users.username')) {
          throw new StoreError('username_taken');
        }
        throw err;
      }
      return this.mustGet(user.id);
    });
  }

  byId(id: string): Promise<UserRecord | null> {
    return timed(this.observe, 'users.byId', () => {
      const row = this.statements.byId.get(id);
      return row ? toUser(row) : null;
    });
  }

  byIds(ids: readonly string[]): Promise<UserRecord[]> {
    return timed(this.observe, 'users.byIds', () => {
      if (ids.length === 0) return [];
      // In the order asked, each user once, missing ones left out.
      const rows = new Map(this.statements.byIds.all(JSON.stringify(ids)).map((row) => [row.id, row]));
      const out: UserRecord[] = [];
      for (const id of new Set(ids)) {
        const row = rows.get(id);
        if (row) out.push(toUser(row));
      }
      return out;
    });
  }

  byUsername(username: string): Promise<UserRecord | null> {
    return timed(this.observe, 'users.byUsername', () => {
      const row = this.statements.byUsername.get(username);
      return row ? toUser(row) : null;
    });
  }

  searchByUsernamePrefix(prefix: string, limit: number): Promise<UserRecord[]> {
    return timed(this.observe, 'users.searchByUsernamePrefix', () => {
      const max = Math.floor(limit);
      if (!(max > 0)) return [];
      return this.statements.byPrefix.all(prefix, prefix + PREFIX_END, max).map(toUser);
    });
  }

  update(id: string, patch: UserPatch): Promise<UserRecord | null> {
    return timed(this.observe, 'users.update', () => {
      const sets: string[] = [];
      const values: Record<string, unknown> = { id };
      if (patch.displayName !== undefined) {
        sets.push('display_name = @displayName');
        values.displayName = patch.displayName;
      }
      if (patch.avatarUrl !== undefined) {
        sets.push('avatar_url = @avatarUrl');
        values.avatarUrl = patch.avatarUrl;
      }
      if (patch.privacyPresence !== undefined) {
        sets.push('privacy_presence = @privacyPresence');
        values.privacyPresence = patch.privacyPresence;
      }
      if (patch.privacyLastSeen !== undefined) {
        sets.push('privacy_last_seen = @privacyLastSeen');
        values.privacyLastSeen = patch.privacyLastSeen;
      }
      if (sets.length > 0) {
        this.db.prepare(`UPDATE users SET ${sets.join(', ')} WHERE id = @id`).run(values);
      }
      const row = this.statements.byId.get(id);
      return row ? toUser(row) : null;
    });
  }

  addContact(ownerId: string, contactId: string): Promise<void> {
    return timed(this.observe, 'users.addContact', () => {
      this.statements.addContact.run(ownerId, contactId, new Date().toISOString());
    });
  }

  removeContact(ownerId: string, contactId: string): Promise<void> {
    return timed(this.observe, 'users.removeContact', () => {
      this.statements.removeContact.run(ownerId, contactId);
    });
  }

  listContacts(ownerId: string): Promise<UserRecord[]> {
    return timed(this.observe, 'users.listContacts', () => this.statements.listContacts.all(ownerId).map(toUser));
  }

  isContact(ownerId: string, contactId: string): Promise<boolean> {
    return timed(this.observe, 'users.isContact', () => !!this.statements.isContact.get(ownerId, contactId));
  }

  block(blockerId: string, blockedId: string): Promise<void> {
    return timed(this.observe, 'users.block', () => {
      this.statements.block.run(blockerId, blockedId, new Date().toISOString());
    });
  }

  unblock(blockerId: string, blockedId: string): Promise<void> {
    return timed(this.observe, 'users.unblock', () => {
      this.statements.unblock.run(blockerId, blockedId);
    });
  }

  listBlocked(blockerId: string): Promise<UserRecord[]> {
    return timed(this.observe, 'users.listBlocked', () => this.statements.listBlocked.all(blockerId).map(toUser));
  }

  isBlocked(blockerId: string, blockedId: string): Promise<boolean> {
    return timed(this.observe, 'users.isBlocked', () => !!this.statements.isBlocked.get(blockerId, blockedId));
  }

  private mustGet(id: string): UserRecord {
    const row = this.statements.byId.get(id);
    if (!row) throw new Error(`user ${id} vanished after insert`);
    return toUser(row);
  }
}
