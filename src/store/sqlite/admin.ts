/** AdminStore on SQLite: the users.is_admin flag (migration 4) and outbox sizes. */
import type { AdminStore, OutboxSize } from '../stores.js';
import { type Db, type Observe, timed } from './database.js';

/**
 * Per member: the messages of its window past its delivered watermark. A
 * full scan of memberships: it serves the dashboard every few seconds, not
 * the message path.
 */
const OUTBOXES = `
  SELECT u.id AS userId, u.username AS username, sum(o.n) AS undelivered
    FROM (SELECT m.user_id,
                 max(0, min(c.last_seq, coalesce(m.visible_to_seq, c.last_seq))
                        - max(m.delivered_seq, m.visible_from_seq - 1)) AS n
            FROM memberships m JOIN conversations c ON c.id = m.conversation_id
           WHERE c.type <> 'channel') o
    JOIN users u ON u.id = o.user_id
   GROUP BY u.id
  HAVING sum(o.n) > 0
   ORDER BY undelivered DESC, u.username
   LIMIT ?`;

export class SqliteAdminStore implements AdminStore {
  private readonly statements;

  constructor(
    db: Db,
    private readonly observe?: Observe,
  ) {
    this.statements = {
      isAdmin: db.prepare<[string], { is_admin: number }>('SELECT is_admin FROM users WHERE id = ?'),
      setAdmin: db.prepare<[number, string]>('UPDATE users SET is_admin = ? WHERE username = ?'),
      listAdmins: db.prepare<[], { username: string }>(
        'SELECT username FROM users WHERE is_admin = 1 ORDER BY username',
      ),
      outboxes: db.prepare<[number], OutboxSize>(OUTBOXES),
    };
  }

  isAdmin(userId: string): Promise<boolean> {
    return timed(this.observe, 'admin.isAdmin', () => this.statements.isAdmin.get(userId)?.is_admin === 1);
  }

  setAdmin(username: string, admin: boolean): Promise<boolean> {
    return timed(
      this.observe,
      'admin.setAdmin',
      () => this.statements.setAdmin.run(admin ? 1 : 0, username).changes > 0,
    );
  }

  listAdmins(): Promise<string[]> {
    return timed(this.observe, 'admin.listAdmins', () => this.statements.listAdmins.all().map((row) => row.username));
  }

  largestOutboxes(limit: number): Promise<OutboxSize[]> {
    return timed(this.observe, 'admin.largestOutboxes', () =>
      this.statements.outboxes.all(limit).map((row) => ({ ...row, undelivered: Number(row.undelivered) })),
    );
  }
}
