/** AdminStore on PostgreSQL: the users.is_admin flag (migration 8) and outbox sizes. */
import type pg from 'pg';
import type { AdminStore, OutboxSize } from '../stores.js';
import { type Observe, timed } from './pool.js';

/** As in SQLite: per member, its window's messages past its delivered watermark (a full scan). */
const OUTBOXES = `
  SELECT u.id AS "userId", u.username, sum(o.n)::bigint AS undelivered
    FROM (SELECT m.user_id,
                 greatest(0, least(c.last_seq, coalesce(m.visible_to_seq, c.last_seq))
                             - greatest(m.delivered_seq, m.visible_from_seq - 1)) AS n
            FROM memberships m JOIN conversations c ON c.id = m.conversation_id
           WHERE c.type <> 'channel') o
    JOIN users u ON u.id = o.user_id
   GROUP BY u.id, u.username
  HAVING sum(o.n) > 0
   ORDER BY undelivered DESC, u.username
   LIMIT $1`;

export class PostgresAdminStore implements AdminStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly observe?: Observe,
  ) {}

  isAdmin(userId: string): Promise<boolean> {
    return timed(this.observe, 'admin.isAdmin', async () => {
      const { rows } = await this.pool.query<{ is_admin: boolean }>('SELECT is_admin FROM users WHERE id = $1', [
        userId,
      ]);
      return rows[0]?.is_admin === true;
    });
  }

  setAdmin(username: string, admin: boolean): Promise<boolean> {
    return timed(this.observe, 'admin.setAdmin', async () => {
      const { rowCount } = await this.pool.query('UPDATE users SET is_admin = $1 WHERE username = $2', [
        admin,
        username,
      ]);
      return (rowCount ?? 0) > 0;
    });
  }

  listAdmins(): Promise<string[]> {
    return timed(this.observe, 'admin.listAdmins', async () => {
      const { rows } = await this.pool.query<{ username: string }>(
        'SELECT username FROM users WHERE is_admin ORDER BY username',
      );
      return rows.map((row) => row.username);
    });
  }

  largestOutboxes(limit: number): Promise<OutboxSize[]> {
    return timed(this.observe, 'admin.largestOutboxes', async () => {
      const { rows } = await this.pool.query<{ userId: string; username: string; undelivered: string }>(OUTBOXES, [
        limit,
      ]);
      return rows.map((row) => ({ userId: row.userId, username: row.username, undelivered: Number(row.undelivered) }));
    });
  }
}
