/** PostgreSQL-specific tests: several nodes, partitions, migrations, failures. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createGroup, createUsers, id, messageDraft, newUser, nextTime, token } from '../contract/harness.js';
import type { Storage } from '../stores.js';
import { MIGRATIONS, migrate, openPostgresStorage, type PostgresStorage } from './index.js';
import { monthStarts } from './partitions.js';
import { createPool } from './pool.js';
import { createSchema, dropSchema, openIn, withClient } from './test-support.js';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function partitionName(monthStart: string): string {
  return `messages_p${monthStart.slice(0, 7).replace('-', '_')}`;
}

export function describePostgresSpecifics(url: string): void {
  describe('PostgreSQL storage specifics', () => {
    let schema: string;
    let nodeA: PostgresStorage;
    let nodeB: PostgresStorage;
    const sql = <R extends Record<string, unknown>>(text: string, values: unknown[] = []) =>
      withClient(url, async (client) => (await client.query<R>(text, values)).rows, schema);

    before(async () => {
      schema = await createSchema(url);
      // Two nodes: two storages, two pools, one database.
      nodeA = await openIn(url, schema, { poolSize: 4 });
      nodeB = await openIn(url, schema, { poolSize: 4 });
    });
    after(async () => {
      await Promise.allSettled([nodeA?.close(), nodeB?.close()]);
      await dropSchema(url, schema);
    });

    it('keeps seqs dense and unique under concurrent appends from two nodes', async () => {
      const users = await createUsers(nodeA, 4);
      const ids = users.map((u) => u.id);
      const [first, second] = [
        (await createGroup(nodeA, ids[0] ?? '', ids.slice(1))).conversation,
        (await createGroup(nodeB, ids[1] ?? '', [ids[0] ?? '', ...ids.slice(2)])).conversation,
      ];
      const nodes: Storage[] = [nodeA, nodeB];
      // Each node writes to both conversations, in opposite orders: no deadlock either.
      const results = await Promise.all(
        range(0, 399).map((i) => {
          const node = nodes[i % 2] ?? nodeA;
          const conversation = i % 4 < 2 === (i % 2 === 0) ? first : second;
          return node.messages.append(messageDraft(conversation.id, ids[i % 4] ?? '', `two nodes ${i}`));
        }),
      );
      assert.ok(results.every((r) => r.created));
      for (const conversation of [first, second]) {
        const seqs = results.filter((r) => r.message.conversationId === conversation.id).map((r) => r.message.seq);
        assert.deepEqual(
          seqs.sort((x, y) => x - y),
          range(2, 201),
        );
        const history = await nodeB.messages.page(conversation.id, { fromSeq: 1, toSeq: 1000 }, { limit: 500 });
        assert.deepEqual(
          history.messages.map((m) => m.seq),
          range(1, 201),
        );
        assert.equal((await nodeA.conversations.byId(conversation.id))?.lastSeq, 201);
      }
    });

    it('creates one message for a (sender, clientMsgId) repeated on both nodes at once', async () => {
      const [a, b] = await createUsers(nodeA, 2);
      const { conversation } = await nodeA.conversations.getOrCreateDirect(
        id('d'),
        a?.id ?? '',
        b?.id ?? '',
        nextTime(),
      );
      const clientMsgId = id('c');
      const results = await Promise.all(
        range(0, 39).map((i) =>
          (i % 2 ? nodeA : nodeB).messages.append(
            messageDraft(conversation.id, a?.id ?? '', `attempt ${i}`, { clientMsgId }),
          ),
        ),
      );
      assert.equal(results.filter((r) => r.created).length, 1);
      assert.deepEqual(new Set(results.map((r) => r.message.seq)), new Set([1]));
      const keys = await sql<{ n: string }>('SELECT count(*) AS n FROM message_keys WHERE client_msg_id = $1', [
        clientMsgId,
      ]);
      assert.equal(Number(keys[0]?.n), 1);
    });

    it('creates one direct conversation for a pair asked on both nodes at once', async () => {
      const [a, b] = await createUsers(nodeB, 2);
      const results = await Promise.all(
        range(0, 19).map((i) =>
          (i % 2 ? nodeA : nodeB).conversations.getOrCreateDirect(id('d'), a?.id ?? '', b?.id ?? '', nextTime()),
        ),
      );
      assert.equal(new Set(results.map((r) => r.conversation.id)).size, 1);
      assert.equal(results.filter((r) => r.created).length, 1);
    });

    it('fails only the faulty draft when one breaks its batch', async () => {
      const [a, b] = await createUsers(nodeA, 2);
      const { conversation } = await nodeA.conversations.getOrCreateDirect(
        id('d'),
        a?.id ?? '',
        b?.id ?? '',
        nextTime(),
      );
      const taken = await nodeA.messages.append(messageDraft(conversation.id, a?.id ?? '', 'first'));
      // Same message id, another clientMsgId: the unique key refuses it.
      const drafts = [
        messageDraft(conversation.id, a?.id ?? '', 'ok 1'),
        messageDraft(conversation.id, b?.id ?? '', 'dup id', { id: taken.message.id }),
        messageDraft(conversation.id, b?.id ?? '', 'ok 2'),
      ];
      const settled = await Promise.allSettled(drafts.map((d) => nodeA.messages.append(d)));
      assert.deepEqual(
        settled.map((s) => s.status),
        ['fulfilled', 'rejected', 'fulfilled'],
      );
      assert.match(String((settled[1] as PromiseRejectedResult).reason), /duplicate key/);
      const seqs = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value.message.seq] : []));
      assert.deepEqual(seqs, [2, 3]);
      assert.equal((await nodeB.conversations.byId(conversation.id))?.lastSeq, 3);
    });

    it('keeps the highest delivered watermark when acks arrive on both nodes', async () => {
      const [a, b] = await createUsers(nodeA, 2);
      const { conversation } = await nodeA.conversations.getOrCreateDirect(
        id('d'),
        a?.id ?? '',
        b?.id ?? '',
        nextTime(),
      );
      for (let i = 0; i < 20; i++) await nodeA.messages.append(messageDraft(conversation.id, a?.id ?? '', `m${i}`));
      const acks = range(1, 60).map((i) =>
        (i % 2 ? nodeA : nodeB).delivery.ackDelivery(
          b?.id ?? '',
          i % 3 ? 'phone' : 'laptop',
          conversation.id,
          (i * 11) % 21,
          nextTime(),
        ),
      );
      const moves = await Promise.all(acks);
      assert.ok(moves.every((move) => move !== null && move.deliveredSeq >= move.previousDeliveredSeq));
      assert.equal((await nodeB.conversations.membership(conversation.id, b?.id ?? ''))?.deliveredSeq, 20);
      assert.deepEqual(await nodeA.delivery.openDevice(b?.id ?? '', 'phone', nextTime()), [
        { conversationId: conversation.id, afterSeq: 20, lastSeq: 20, windowClosed: false },
      ]);
    });

    it('commits concurrent appends in few batches, not one transaction each', async () => {
      let batches = 0;
      const counted = await openIn(url, schema, {
        observe: (operation) => {
          if (operation === 'messages.commit_batch') batches++;
        },
      });
      try {
        const [a, b] = await createUsers(counted, 2);
        const { conversation } = await counted.conversations.getOrCreateDirect(
          id('d'),
          a?.id ?? '',
          b?.id ?? '',
          nextTime(),
        );
        await Promise.all(
          range(1, 100).map((i) => counted.messages.append(messageDraft(conversation.id, a?.id ?? '', `batch ${i}`))),
        );
        assert.ok(batches >= 1 && batches <= 3, `100 appends took ${batches} batches`);
      } finally {
        await counted.close();
      }
    });

    it('has partitions for the current and the next two months, and a default one', async () => {
      const rows = await sql<{ name: string }>(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
          WHERE i.inhparent = 'messages'::regclass`,
      );
      const names = rows.map((r) => r.name);
      for (const month of monthStarts(new Date(), 2)) assert.ok(names.includes(partitionName(month)), month);
      assert.ok(names.includes('messages_default'));
      // Idempotent: a second run (any node, any day) creates nothing.
      assert.deepEqual(await nodeB.ensurePartitions(), []);
    });

    it('lands a message beyond the created partitions in DEFAULT, and moves it when its month is created', async () => {
      const [a, b] = await createUsers(nodeA, 2);
      const { conversation } = await nodeA.conversations.getOrCreateDirect(
        id('d'),
        a?.id ?? '',
        b?.id ?? '',
        nextTime(),
      );
      const now = new Date();
      const future = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 14, 15, 12));
      const word = token(12);
      const draft = messageDraft(conversation.id, a?.id ?? '', `far ${word}`, { createdAt: future.toISOString() });
      const { message } = await nodeB.messages.append(draft);
      const where = async () =>
        (await sql<{ p: string }>('SELECT tableoid::regclass::text AS p FROM messages WHERE id = $1', [message.id]))[0]
          ?.p;
      assert.equal(await where(), 'messages_default');
      assert.deepEqual(await nodeA.messages.byId(message.id), message);

      const created = await nodeA.ensurePartitions(future);
      const month = monthStarts(future, 0)[0] ?? '';
      assert.ok(created.includes(partitionName(month)), `created ${created.join(', ')}`);
      assert.equal(await where(), partitionName(month));
      assert.deepEqual(await nodeB.messages.byId(message.id), message);
      assert.deepEqual(await nodeB.messages.bySeq(conversation.id, message.seq), message);
      assert.deepEqual(
        (await nodeB.messages.search(b?.id ?? '', word, { limit: 5 })).map((hit) => hit.message.id),
        [message.id],
      );
      const next = await nodeA.messages.append(
        messageDraft(conversation.id, b?.id ?? '', 'later', {
          createdAt: new Date(future.getTime() + 1000).toISOString(),
        }),
      );
      assert.equal(next.message.seq, 2);
      assert.deepEqual(await nodeA.messages.byId(next.message.id), next.message);
    });

    it('treats tsquery syntax and escapes in search text as plain words', async () => {
      const [a, b] = await createUsers(nodeA, 2);
      const { conversation } = await nodeA.conversations.getOrCreateDirect(
        id('d'),
        a?.id ?? '',
        b?.id ?? '',
        nextTime(),
      );
      const word = token(10);
      await nodeA.messages.append(messageDraft(conversation.id, a?.id ?? '', `it's ${word} here`));
      for (const query of [`'${word}`, `${word}\\`, `${word}:*`, `!${word}`, `${word} & | !`, `(${word}) <-> 12345`]) {
        const hits = await nodeB.messages.search(b?.id ?? '', query, { limit: 5 });
        const expected = /<->/.test(query) ? 0 : 1;
        assert.equal(hits.length, expected, query);
      }
      assert.deepEqual(await nodeB.messages.search(b?.id ?? '', `'\\:*&|!`, { limit: 5 }), []);
    });

    it('applies migrations once when two nodes open a fresh schema at the same time', async () => {
      const fresh = await createSchema(url);
      const opened: PostgresStorage[] = [];
      try {
        const results = await Promise.allSettled([openIn(url, fresh), openIn(url, fresh), openIn(url, fresh)]);
        for (const result of results) if (result.status === 'fulfilled') opened.push(result.value);
        assert.deepEqual(
          results.map((r) => r.status),
          ['fulfilled', 'fulfilled', 'fulfilled'],
        );
        const versions = await withClient(
          url,
          async (client) => (await client.query('SELECT version FROM schema_migrations ORDER BY version')).rows,
          fresh,
        );
        assert.deepEqual(
          versions.map((r) => r.version),
          range(1, MIGRATIONS.length),
        );
        const user = await opened[0]?.users.create(newUser());
        assert.equal((await opened[2]?.users.byId(user?.id ?? ''))?.id, user?.id);
        // A schema from a newer server version is refused.
        await withClient(
          url,
          (client) => client.query(`INSERT INTO schema_migrations (version, name) VALUES ($1, 'future')`, [999]),
          fresh,
        );
        await assert.rejects(openIn(url, fresh), /newer/);
      } finally {
        await Promise.allSettled(opened.map((s) => s.close()));
        await dropSchema(url, fresh);
      }
    });

    it('upgrades a version 5 schema to appends that move no watermark', async () => {
      const old = await createSchema(url);
      let upgraded: PostgresStorage | undefined;
      try {
        const pool = createPool({ connectionString: url, schema: old, poolSize: 1 });
        try {
          assert.equal(await migrate(pool, { schema: old, steps: MIGRATIONS.slice(0, 5) }), 5);
        } finally {
          await pool.end();
        }
        const source = async () =>
          (
            await withClient(
              url,
              (client) =>
                client.query<{ prosrc: string }>(
                  `SELECT prosrc FROM pg_proc WHERE proname = 'chat_append_one' AND pronamespace = $1::regnamespace`,
                  [old],
                ),
              old,
            )
          ).rows.map((r) => r.prosrc);
        const before = await source();
        assert.equal(before.length, 1);
        assert.match(before[0] ?? '', /read_seq = greatest/, 'version 5 bumps the sender');

        upgraded = await openIn(url, old);
        const versions = await withClient(
          url,
          async (client) => (await client.query('SELECT version FROM schema_migrations ORDER BY version')).rows,
          old,
        );
        assert.deepEqual(
          versions.map((r) => r.version),
          range(1, MIGRATIONS.length),
        );
        const after = await source();
        assert.equal(after.length, 1, 'replaced, not overloaded');
        assert.doesNotMatch(after[0] ?? '', /read_seq/);

        const [a, b] = await createUsers(upgraded, 2);
        const { conversation } = await createGroup(upgraded, a?.id ?? '', [b?.id ?? '']);
        await upgraded.messages.append(messageDraft(conversation.id, a?.id ?? '', 'after the upgrade'));
        const m = await upgraded.conversations.membership(conversation.id, a?.id ?? '');
        assert.deepEqual([m?.sentSeq, m?.deliveredSeq, m?.readSeq], [0, 0, 0]);
      } finally {
        await upgraded?.close();
        await dropSchema(url, old);
      }
    });

    it('fails fast, without hanging, when the database is unreachable', async () => {
      const startedAt = Date.now();
      await assert.rejects(
        openPostgresStorage({ connectionString: 'postgres://postgres@127.0.0.1:1/test', connectionTimeoutMs: 2_000 }),
      );
      assert.ok(Date.now() - startedAt < 5_000);
    });

    it('pings, maps a taken username, and refuses calls after close', async () => {
      const storage = await openIn(url, schema);
      await storage.ping();
      const user = await storage.users.create(newUser());
      await assert.rejects(storage.users.create(newUser({ username: user.username })), { kind: 'username_taken' });
      await storage.close();
      await storage.close();
      await assert.rejects(storage.messages.append(messageDraft(id('d'), user.id, 'late')), /closed/);
      await assert.rejects(storage.ping());
    });
  });
}
