/** Runs the storage contract suites on SQLite, plus what is specific to SQLite. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { createGroup, messageDraft, newUser, nextTime, systemDraft } from '../contract/harness.js';
import {
  describeConversationStore,
  describeDeliveryStore,
  describeMediaStore,
  describeMessageStore,
  describeUserStore,
  type OpenStorage,
} from '../contract/index.js';
import type { Storage } from '../stores.js';
import { openDatabase } from './database.js';
import { openSqliteStorage, type SqliteStorageOptions } from './index.js';
import { MIGRATIONS, migrate } from './migrations.js';
import { toFtsQuery } from './search-query.js';

async function tempPath(): Promise<{ dir: string; path: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'chat-sqlite-'));
  return { dir, path: join(dir, 'chat.db') };
}

function harnessFor(options: Omit<SqliteStorageOptions, 'path'> = {}): OpenStorage {
  return async () => {
    const { dir, path } = await tempPath();
    let storage = await openSqliteStorage({ ...options, path });
    return {
      get storage() {
        return storage;
      },
      reopen: async () => {
        await storage.close();
        storage = await openSqliteStorage({ ...options, path });
        return storage;
      },
      cleanup: async () => {
        await storage.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  };
}

describeUserStore('sqlite', harnessFor());
describeConversationStore('sqlite', harnessFor());
describeMessageStore('sqlite', harnessFor());
// Small batches: the same contract holds when a burst spans several transactions.
describeMessageStore('sqlite, batches of 7', harnessFor({ maxBatch: 7 }));
describeDeliveryStore('sqlite', harnessFor());
describeDeliveryStore('sqlite, batches of 7', harnessFor({ maxBatch: 7 }));
describeMediaStore('sqlite', harnessFor());

/** A database at an older schema version, as an earlier release left it. */
function openDatabaseAt(path: string, version: number) {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  migrate(db, MIGRATIONS.slice(0, version));
  return db;
}

async function directChat(storage: Storage) {
  const a = await storage.users.create(newUser());
  const b = await storage.users.create(newUser());
  const { conversation } = await storage.conversations.getOrCreateDirect(`d-${a.id}`, a.id, b.id, nextTime());
  return { a, b, conversation };
}

describe('SQLite storage specifics', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chat-sqlite-specific-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('opens with WAL, synchronous FULL and foreign keys, at the latest schema version', () => {
    const db = openDatabase({ path: join(dir, 'pragmas', 'nested', 'chat.db') });
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(db.pragma('synchronous', { simple: true }), 2);
      assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
      assert.equal(db.pragma('busy_timeout', { simple: true }), 5000);
      assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
    } finally {
      db.close();
    }
  });

  it('applies each migration step once, atomically, and refuses a newer schema', () => {
    const db = openDatabase({ path: join(dir, 'migrate.db') });
    try {
      const steps = [
        ...MIGRATIONS,
        'CREATE TABLE extra (x INTEGER)',
        'CREATE TABLE half (y); SELECT no_such_function()',
      ];
      assert.throws(() => migrate(db, steps), /no_such_function/);
      assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length + 1);
      const tables = (
        db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
      ).map((r) => r.name);
      assert.ok(tables.includes('extra'));
      assert.ok(!tables.includes('half'), 'the failed step left nothing');
      migrate(db, steps.slice(0, -1)); // already there: a no-op
      assert.throws(() => migrate(db, MIGRATIONS), /newer/);
    } finally {
      db.close();
    }
  });

  it('builds FTS5 queries that only hold quoted prefix words', () => {
    assert.equal(toFtsQuery('hello world'), '"hello"* AND "world"*');
    assert.equal(toFtsQuery('NEAR(a, b) -c "d'), '"NEAR"* AND "a"* AND "b"* AND "c"* AND "d"*');
    assert.equal(toFtsQuery('café'), '"café"*');
    assert.equal(toFtsQuery('  "*^-:()  '), null);
    assert.equal(toFtsQuery('👍'), null);
  });

  it('reports every operation to observe, and survives an observer that throws', async () => {
    const seen: [string, number][] = [];
    const storage = await openSqliteStorage({
      path: join(dir, 'observe.db'),
      observe: (operation, seconds) => {
        seen.push([operation, seconds]);
        throw new Error('observer failure');
      },
    });
    try {
      const { a, conversation } = await directChat(storage);
      await storage.messages.append(messageDraft(conversation.id, a.id, 'timed'));
      await storage.conversations.listForUser(a.id);
      await storage.ping();
      await storage.messages.sendersBetween(conversation.id, 0, 1);
      await storage.delivery.openDevice(a.id, 'phone', nextTime());
      await storage.delivery.ackDelivery(a.id, 'phone', conversation.id, 1, nextTime());
      await storage.delivery.markSent(a.id, conversation.id, 1);
      const names = new Set(seen.map(([name]) => name));
      for (const name of [
        'users.create',
        'conversations.getOrCreateDirect',
        'messages.append',
        'messages.commit_batch',
        'conversations.listForUser',
        'storage.ping',
        'messages.sendersBetween',
        'delivery.openDevice',
        'delivery.ackDelivery',
        'delivery.markSent',
        'delivery.commit_batch',
      ]) {
        assert.ok(names.has(name), `observed ${name}`);
      }
      assert.ok(seen.every(([, seconds]) => seconds >= 0 && seconds < 60));
    } finally {
      await storage.close();
    }
  });

  it('commits a burst of appends in few transactions', async () => {
    const batches: number[] = [];
    const observe = (operation: string) => {
      if (operation === 'messages.commit_batch') batches.push(1);
    };
    const storage = await openSqliteStorage({ path: join(dir, 'batch.db'), observe, maxBatch: 64 });
    try {
      const { a, conversation } = await directChat(storage);
      const results = await Promise.all(
        Array.from({ length: 256 }, (_, i) => storage.messages.append(messageDraft(conversation.id, a.id, `m${i}`))),
      );
      assert.equal(results.length, 256);
      // At least 4 (64 per batch); appends reach the writer thread over time, so a few more.
      assert.ok(batches.length >= 4 && batches.length <= 8, `256 appends in ${batches.length} batches of at most 64`);
    } finally {
      await storage.close();
    }
  });

  it('folds the write-ahead log into the database file while it runs, off the writer thread', async () => {
    const path = join(dir, 'checkpoints.db');
    const storage = await openSqliteStorage({ path });
    try {
      const { a, conversation } = await directChat(storage);
      const content = 'x'.repeat(2000);
      // ~6 MB: far below the writer's own 64 MiB threshold, so only the checkpoint thread moves it.
      for (let round = 0; round < 30; round++) {
        await Promise.all(
          Array.from({ length: 100 }, (_, i) =>
            storage.messages.append(messageDraft(conversation.id, a.id, `${content} ${round}-${i}`)),
          ),
        );
      }
      const deadline = Date.now() + 5000;
      while (statSync(path).size < 5_000_000 && Date.now() < deadline) await sleep(50);
      assert.ok(statSync(path).size >= 5_000_000, `database file ${statSync(path).size} bytes while open`);
    } finally {
      await storage.close();
    }
  });

  it('commits a burst of acks and sent marks in few transactions, the cursor at the max', async () => {
    const batches: string[] = [];
    const observe = (operation: string) => {
      if (operation.endsWith('.commit_batch')) batches.push(operation);
    };
    const storage = await openSqliteStorage({ path: join(dir, 'delivery-batch.db'), observe, maxBatch: 64 });
    try {
      const { a, b, conversation } = await directChat(storage);
      for (let i = 0; i < 40; i++) await storage.messages.append(messageDraft(conversation.id, a.id, `m${i}`));
      await storage.delivery.openDevice(b.id, 'phone', nextTime());
      batches.length = 0;
      const seqs = Array.from({ length: 200 }, (_, i) => ((i * 17) % 39) + 1);
      const moves = await Promise.all([
        ...seqs.map((seq) => storage.delivery.ackDelivery(b.id, 'phone', conversation.id, seq, nextTime())),
        ...seqs.slice(0, 56).map((seq) => storage.delivery.markSent(b.id, conversation.id, seq + 1)),
      ]);
      assert.equal(moves.length, 256);
      // At least 4 (64 per batch); the writes reach the writer thread over time, so maybe a few more.
      assert.ok(batches.length >= 4 && batches.length <= 8, `256 writes in ${batches.length} batches of at most 64`);
      assert.ok(batches.every((b) => b === 'delivery.commit_batch'));
      const outbox = await storage.delivery.openDevice(b.id, 'phone', nextTime());
      assert.deepEqual(outbox, [{ conversationId: conversation.id, afterSeq: 39, lastSeq: 40, windowClosed: false }]);
      const m = await storage.conversations.membership(conversation.id, b.id);
      assert.deepEqual([m?.sentSeq, m?.deliveredSeq], [40, 39]);
    } finally {
      await storage.close();
    }
  });

  it('commits 200 concurrent acks in a few transactions with the default batch size', async () => {
    let batches = 0;
    const observe = (operation: string) => {
      if (operation === 'delivery.commit_batch') batches++;
    };
    const storage = await openSqliteStorage({ path: join(dir, 'delivery-one-batch.db'), observe });
    try {
      const { a, b, conversation } = await directChat(storage);
      for (let i = 0; i < 10; i++) await storage.messages.append(messageDraft(conversation.id, a.id, `m${i}`));
      await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          storage.delivery.ackDelivery(b.id, `device${i % 3}`, conversation.id, (i % 10) + 1, nextTime()),
        ),
      );
      // One when they reach the writer thread together; never one per ack.
      assert.ok(batches >= 1 && batches <= 4, `200 acks in ${batches} transactions`);
      assert.equal((await storage.conversations.membership(conversation.id, b.id))?.deliveredSeq, 10);
    } finally {
      await storage.close();
    }
  });

  it('registers a device first seen in an ack at the user delivered watermarks', async () => {
    const storage = await openSqliteStorage({ path: join(dir, 'ack-registers.db') });
    try {
      const { a, b, conversation } = await directChat(storage);
      const c = await storage.users.create(newUser());
      const other = (await storage.conversations.getOrCreateDirect(`d-${c.id}`, c.id, b.id, nextTime())).conversation;
      for (let i = 0; i < 4; i++) await storage.messages.append(messageDraft(conversation.id, a.id, `m${i}`));
      for (let i = 0; i < 3; i++) await storage.messages.append(messageDraft(other.id, c.id, `o${i}`));
      await storage.delivery.ackDelivery(b.id, 'phone', other.id, 2, nextTime());
      // Never opened: the watch acks first. Its other conversation starts at the
      // delivered watermark (2), not at the window start.
      await storage.delivery.ackDelivery(b.id, 'watch', conversation.id, 1, nextTime());
      assert.deepEqual(await storage.delivery.openDevice(b.id, 'watch', nextTime()), [
        { conversationId: conversation.id, afterSeq: 1, lastSeq: 4, windowClosed: false },
        { conversationId: other.id, afterSeq: 2, lastSeq: 3, windowClosed: false },
      ]);
    } finally {
      await storage.close();
    }
  });

  it('close() commits the queued acks and sent marks, then refuses new ones', async () => {
    const path = join(dir, 'close-delivery.db');
    const storage = await openSqliteStorage({ path });
    const { a, b, conversation } = await directChat(storage);
    for (let i = 0; i < 6; i++) await storage.messages.append(messageDraft(conversation.id, a.id, `m${i}`));
    const pending = [
      ...[2, 5, 3].map((seq) => storage.delivery.ackDelivery(b.id, 'phone', conversation.id, seq, nextTime())),
      storage.delivery.markSent(b.id, conversation.id, 6),
    ];
    await storage.close();
    await Promise.all(pending);
    await assert.rejects(storage.delivery.ackDelivery(b.id, 'phone', conversation.id, 6, nextTime()));
    await assert.rejects(storage.delivery.markSent(b.id, conversation.id, 6));
    const reopened = await openSqliteStorage({ path });
    try {
      const m = await reopened.conversations.membership(conversation.id, b.id);
      assert.deepEqual([m?.sentSeq, m?.deliveredSeq], [6, 5]);
      assert.deepEqual(await reopened.delivery.openDevice(b.id, 'phone', nextTime()), [
        { conversationId: conversation.id, afterSeq: 5, lastSeq: 6, windowClosed: false },
      ]);
    } finally {
      await reopened.close();
    }
  });

  it('commits queued acks before a membership change', async () => {
    const storage = await openSqliteStorage({ path: join(dir, 'ack-then-remove.db') });
    try {
      const admin = await storage.users.create(newUser());
      const b = await storage.users.create(newUser());
      const { conversation } = await createGroup(storage, admin.id, [b.id]);
      const ack = storage.delivery.ackDelivery(b.id, 'phone', conversation.id, 1, nextTime());
      await storage.conversations.removeMember(conversation.id, b.id, systemDraft(admin.id, 'member_removed', b.id));
      assert.deepEqual(await ack, {
        conversationId: conversation.id,
        userId: b.id,
        previousDeliveredSeq: 0,
        deliveredSeq: 1,
      });
    } finally {
      await storage.close();
    }
  });

  it('migrates a version 1 database with data to the delivery tables', () => {
    const path = join(dir, 'v1.db');
    const old = openDatabaseAt(path, 1);
    old
      .prepare(
        `INSERT INTO users (id, username, display_name, password_hash, created_at) VALUES ('u1', 'one', 'One', 'x', '2030-01-01')`,
      )
      .run();
    old.close();
    const upgraded = openDatabase({ path });
    try {
      assert.equal(upgraded.pragma('user_version', { simple: true }), MIGRATIONS.length);
      assert.equal((upgraded.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n, 1);
      upgraded
        .prepare(`INSERT INTO devices (user_id, device_id, first_seen_at) VALUES ('u1', 'phone', '2030-01-02')`)
        .run();
      assert.throws(
        () =>
          upgraded
            .prepare(`INSERT INTO devices (user_id, device_id, first_seen_at) VALUES ('nobody', 'phone', 'x')`)
            .run(),
        /FOREIGN KEY/,
      );
    } finally {
      upgraded.close();
    }
  });

  it('close() commits the queued appends, then refuses new ones', async () => {
    const path = join(dir, 'close.db');
    const storage = await openSqliteStorage({ path });
    const { a, conversation } = await directChat(storage);
    const pending = Array.from({ length: 30 }, (_, i) =>
      storage.messages.append(messageDraft(conversation.id, a.id, `q${i}`)),
    );
    await storage.close();
    const results = await Promise.all(pending);
    await assert.rejects(storage.messages.append(messageDraft(conversation.id, a.id, 'late')));
    await storage.close(); // idempotent
    const reopened = await openSqliteStorage({ path });
    try {
      for (const { message } of results) assert.deepEqual(await reopened.messages.byId(message.id), message);
      assert.equal((await reopened.conversations.byId(conversation.id))?.lastSeq, 30);
    } finally {
      await reopened.close();
    }
  });

  it('keeps every acknowledged message when the process is killed with SIGKILL', async () => {
    const path = join(dir, 'killed.db');
    const root = fileURLToPath(new URL('../../..', import.meta.url));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./durability.child.ts', import.meta.url)), path],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const acked = new Map<string, number>();
    let conversationId = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      let buffer = '';
      child.on('exit', () => reject(new Error(`child exited early: ${stderr}`)));
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop()!;
        for (const line of lines) {
          const [kind, first, second] = line.split(' ');
          if (kind === 'ready') conversationId = first!;
          if (kind === 'ack') acked.set(first!, Number(second));
        }
        if (acked.size >= 400) {
          child.removeAllListeners('exit');
          child.kill('SIGKILL');
          child.on('exit', () => resolve());
        }
      });
    });
    const storage = await openSqliteStorage({ path });
    try {
      const conversation = await storage.conversations.byId(conversationId);
      assert.ok(conversation && conversation.lastSeq >= acked.size);
      for (const [messageId, seq] of acked) assert.equal((await storage.messages.byId(messageId))?.seq, seq);
      const history = await storage.messages.page(
        conversationId,
        { fromSeq: 1, toSeq: conversation.lastSeq },
        { limit: 100_000 },
      );
      assert.deepEqual(
        history.messages.map((m) => m.seq),
        Array.from({ length: conversation.lastSeq }, (_, i) => i + 1),
      );
    } finally {
      await storage.close();
    }
  });
});
