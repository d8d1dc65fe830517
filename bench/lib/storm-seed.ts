/**
 * The reconnect-storm's world, seeded directly into the server's migrated
 * schema: users in pairs, one direct conversation per pair holding `pending`
 * messages, and every device of both users registered with its cursor at 0,
 * so each device's outbox holds all `pending` messages until it acknowledges
 * them (the storm's clients never do: every resume replays them).
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/store/sqlite/database.js';
import { seedUsers } from './scale.js';

export interface StormWorld {
  userIds: string[];
  devicesPerUser: number;
}

export function seedStorm(db: Db, users: number, devicesPerUser: number, pending: number): StormWorld {
  const userIds = seedUsers(db, 'storm', users);
  const now = new Date().toISOString();
  const insertConversation = db.prepare(
    `INSERT INTO conversations (id, type, name, avatar_url, created_by, created_at, last_seq, last_activity_at, send_policy, direct_key)
     VALUES (?, 'direct', NULL, NULL, ?, ?, ?, ?, 'all', ?)`,
  );
  const insertMember = db.prepare(
    `INSERT INTO memberships (conversation_id, user_id, role, joined_at, visible_from_seq, visible_to_seq, sent_seq, delivered_seq, read_seq)
     VALUES (?, ?, 'member', ?, 1, NULL, 0, 0, 0)`,
  );
  const insertMessage = db.prepare(
    `INSERT INTO messages (id, conversation_id, seq, sender_id, client_msg_id, type, content, created_at)
     VALUES (?, ?, ?, ?, ?, 'text', ?, ?)`,
  );
  const insertDevice = db.prepare('INSERT INTO devices (user_id, device_id, first_seen_at) VALUES (?, ?, ?)');
  const insertCursor = db.prepare(
    'INSERT INTO device_cursors (user_id, device_id, conversation_id, acked_seq) VALUES (?, ?, ?, 0)',
  );
  db.transaction(() => {
    for (let i = 0; i + 1 < userIds.length; i += 2) {
      const a = userIds[i] ?? '';
      const b = userIds[i + 1] ?? '';
      const id = randomUUID();
      insertConversation.run(id, a, now, pending, now, JSON.stringify([a, b].sort()));
      for (const user of [a, b]) {
        insertMember.run(id, user, now);
        for (let d = 0; d < devicesPerUser; d++) {
          insertDevice.run(user, `d${d}`, now);
          insertCursor.run(user, `d${d}`, id);
        }
      }
      for (let seq = 1; seq <= pending; seq++) {
        const sender = seq % 2 ? a : b;
        insertMessage.run(randomUUID(), id, seq, sender, `storm-${seq}`, `while you were away ${seq}`, now);
      }
    }
  })();
  return { userIds, devicesPerUser };
}
