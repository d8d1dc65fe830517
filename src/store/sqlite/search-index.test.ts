/**
 * The bulk search index: what a transaction appends is searchable once it
 * commits, edits and deletions keep the index exact, rows written around the
 * writer are indexed at open, and FTS5's own integrity check passes throughout.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { messageDraft, newUser, nextTime } from '../contract/harness.js';
import type { Storage } from '../stores.js';
import { openDirectStorage } from './direct.js';

function integrityCheck(path: string): void {
  const db = new Database(path);
  try {
    // Throws SQLITE_CORRUPT_VTAB when the index and the messages disagree.
    db.prepare("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)").run();
  } finally {
    db.close();
  }
}

describe('SQLite bulk search index', () => {
  let dir: string;
  let path: string;
  let storage: Storage;
  let alice: string;
  let conversationId: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chat-search-index-'));
    path = join(dir, 'chat.db');
    storage = openDirectStorage({ path, maxBatch: 5 });
    const a = await storage.users.create(newUser());
    const b = await storage.users.create(newUser());
    alice = a.id;
    const { conversation } = await storage.conversations.getOrCreateDirect(`d-${a.id}`, a.id, b.id, nextTime());
    conversationId = conversation.id;
  });
  after(async () => {
    await storage.close();
    await rm(dir, { recursive: true, force: true });
  });

  const search = async (term: string) =>
    (await storage.messages.search(alice, term, { limit: 100 })).map((hit) => hit.message.content);

  it('finds every message of a burst spanning several batch transactions as soon as it is acknowledged', async () => {
    const sent = await Promise.all(
      Array.from({ length: 23 }, (_, i) =>
        storage.messages.append(messageDraft(conversationId, alice, `walrus number ${i}`)),
      ),
    );
    assert.equal(sent.length, 23);
    assert.equal((await search('walrus')).length, 23);
    integrityCheck(path);
  });

  it('keeps the index exact through edits and deletions', async () => {
    const { message } = await storage.messages.append(messageDraft(conversationId, alice, 'pelican'));
    await storage.messages.edit(message.id, 'flamingo', nextTime());
    assert.deepEqual(await search('pelican'), []);
    assert.deepEqual(await search('flamingo'), ['flamingo']);
    await storage.messages.softDelete(message.id, nextTime());
    assert.deepEqual(await search('flamingo'), []);
    integrityCheck(path);
  });

  it('indexes at open the messages a bulk import wrote around the writer', async () => {
    await storage.close();
    const db = new Database(path);
    const insert = db.prepare(
      `INSERT INTO messages (id, conversation_id, seq, sender_id, client_msg_id, type, content, created_at)
       VALUES (?, ?, ?, ?, ?, 'text', ?, ?)`,
    );
    const lastSeq = db.prepare('SELECT last_seq FROM conversations WHERE id = ?').pluck().get(conversationId) as number;
    db.transaction(() => {
      for (let i = 1; i <= 120; i++) {
        insert.run(`imp-${i}`, conversationId, lastSeq + i, alice, `imp-${i}`, `imported otter ${i}`, nextTime());
      }
      db.prepare('UPDATE conversations SET last_seq = ? WHERE id = ?').run(lastSeq + 120, conversationId);
    })();
    db.close();
    storage = openDirectStorage({ path, maxBatch: 5 });
    assert.equal((await search('otter')).length, 100);
    assert.equal((await search('walrus')).length, 23);
    integrityCheck(path);
  });
});
