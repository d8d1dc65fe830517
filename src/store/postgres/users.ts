/** UserStore on PostgreSQL: users, contacts and blocks. */
import type pg from 'pg';
import { StoreError } from '../errors.js';
import type { NewUser, UserPatch, UserRecord } from '../records.js';
import type { UserStore } from '../stores.js';
import { isUniqueViolation, type Observe, timed } from './pool.js';
import { qualified, toUser, USER_COLUMNS, type UserRow } from './rows.js';

/** Sorts after every string that starts with a given prefix (byte order, COLLATE "C"). */
const PREFIX_END = '\u{10FFFF}';

export class PostgresUserStore implements UserStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly observe?: Observe,
  ) {}

  create(user: NewUser): Promise<UserRecord> {
    return timed(this.observe, 'users.create', async () => {
      try {
        const { rows } = await this.pool.query<UserRow>(
          `INSERT INTO users (id, username, display_name, avatar_url, phone, password_hash, created_at)
           VALUES ($1, $2, $3, NULL, $4, $5, $6)
           RETURNING ${USER_COLUMNS}`,
          [user.id, user.username, user.displayName, user.phone, user.passwordHash, user.createdAt],
        );
        const row = rows[0];
        if (!row) throw new Error(`user ${user.id} was not inserted`);
        return toUser(row);
      } catch (err) {
        if (isUniqueViolation(err, 'users_username_key')) throw new StoreError('username_taken');
        throw err;
      }
    });
  }

  byId(id: string): Promise<UserRecord | null> {
    return timed(this.observe, 'users.byId', async () => {
      const { rows } = await this.pool.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]);
      return rows[0] ? toUser(rows[0]) : null;
    });
  }

  byIds(ids: readonly string[]): Promise<UserRecord[]> {
    return timed(this.observe, 'users.byIds', async () => {
      if (ids.length === 0) return [];
      const { rows } = await this.pool.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ANY($1::text[])`, [
        [...new Set(ids)],
      ]);
      // In the order asked, each user once, missing ones left out.
      const byId = new Map(rows.map((row) => [row.id, row]));
      const out: UserRecord[] = [];
      for (const id of new Set(ids)) {
        const row = byId.get(id);
        if (row) out.push(toUser(row));
      }
      return out;
    });
  }

  byUsername(username: string): Promise<UserRecord | null> {
    return timed(this.observe, 'users.byUsername', async () => {
      const { rows } = await this.pool.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE username = $1`, [
        username,
      ]);
      return rows[0] ? toUser(rows[0]) : null;
    });
  }

  searchByUsernamePrefix(prefix: string, limit: number): Promise<UserRecord[]> {
    return timed(this.observe, 'users.searchByUsernamePrefix', async () => {
      const max = Math.floor(limit);
      if (!(max > 0)) return [];
      // A range of the username index: `_` and `%` are plain characters here.
      const { rows } = await this.pool.query<UserRow>(
        `SELECT ${USER_COLUMNS} FROM users
          WHERE username >= $1 AND username < $2 ORDER BY username LIMIT $3`,
        [prefix, prefix + PREFIX_END, max],
      );
      return rows.map(toUser);
    });
  }

  update(id: string, patch: UserPatch): Promise<UserRecord | null> {
    return timed(this.observe, 'users.update', async () => {
      const sets: string[] = [];
      const values: unknown[] = [id];
      const set = (column: string, value: unknown) => {
        values.push(value);
        sets.push(`${column} = $${values.length}`);
      };
      if (patch.displayName !== undefined) set('display_name', patch.displayName);
      if (patch.avatarUrl !== undefined) set('avatar_url', patch.avatarUrl);
      if (patch.privacyPresence !== undefined) set('privacy_presence', patch.privacyPresence);
      if (patch.privacyLastSeen !== undefined) set('privacy_last_seen', patch.privacyLastSeen);
      const { rows } =
        sets.length > 0
          ? await this.pool.query<UserRow>(
              `UPDATE users SET ${sets.join(', ')} WHERE id = $1 RETURNING ${USER_COLUMNS}`,
              values,
            )
          : await this.pool.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]);
      return rows[0] ? toUser(rows[0]) : null;
    });
  }

  addContact(ownerId: string, contactId: string): Promise<void> {
    return timed(this.observe, 'users.addContact', async () => {
      await this.pool.query(
        'INSERT INTO contacts (owner_id, contact_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
        [ownerId, contactId, new Date().toISOString()],
      );
    });
  }

  removeContact(ownerId: string, contactId: string): Promise<void> {
    return timed(this.observe, 'users.removeContact', async () => {
      await this.pool.query('DELETE FROM contacts WHERE owner_id = $1 AND contact_id = $2', [ownerId, contactId]);
    });
  }

  listContacts(ownerId: string): Promise<UserRecord[]> {
    return timed(this.observe, 'users.listContacts', async () => {
      const { rows } = await this.pool.query<UserRow>(
        `SELECT ${qualified(USER_COLUMNS, 'u')} FROM contacts c JOIN users u ON u.id = c.contact_id
          WHERE c.owner_id = $1 ORDER BY c.pos`,
        [ownerId],
      );
      return rows.map(toUser);
    });
  }

  isContact(ownerId: string, contactId: string): Promise<boolean> {
    return timed(this.observe, 'users.isContact', async () => {
      const { rowCount } = await this.pool.query('SELECT 1 FROM contacts WHERE owner_id = $1 AND contact_id = $2', [
        ownerId,
        contactId,
      ]);
      return (rowCount ?? 0) > 0;
    });
  }

  block(blockerId: string, blockedId: string): Promise<void> {
    return timed(this.observe, 'users.block', async () => {
      await this.pool.query(
        'INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
        [blockerId, blockedId, new Date().toISOString()],
      );
    });
  }

  unblock(blockerId: string, blockedId: string): Promise<void> {
    return timed(this.observe, 'users.unblock', async () => {
      await this.pool.query('DELETE FROM blocks WHERE blocker_id = $1 AND blocked_id = $2', [blockerId, blockedId]);
    });
  }

  listBlocked(blockerId: string): Promise<UserRecord[]> {
    return timed(this.observe, 'users.listBlocked', async () => {
      const { rows } = await this.pool.query<UserRow>(
        `SELECT ${qualified(USER_COLUMNS, 'u')} FROM blocks b JOIN users u ON u.id = b.blocked_id
          WHERE b.blocker_id = $1 ORDER BY b.created_at, b.blocked_id`,
        [blockerId],
      );
      return rows.map(toUser);
    });
  }

  isBlocked(blockerId: string, blockedId: string): Promise<boolean> {
    return timed(this.observe, 'users.isBlocked', async () => {
      const { rowCount } = await this.pool.query('SELECT 1 FROM blocks WHERE blocker_id = $1 AND blocked_id = $2', [
        blockerId,
        blockedId,
      ]);
      return (rowCount ?? 0) > 0;
    });
  }
}
