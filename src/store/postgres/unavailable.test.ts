/**
 * PostgreSQL out of reach, seen from the storage: reached through a TCP proxy
 * of this test, every kind of call fails with the contract's `unavailable`
 * while the path is cut (never a driver error), and the same storage object
 * serves again once it is back: the pool reconnects by itself. Backends killed
 * server-side (pg_terminate_backend, found by application_name) are replaced
 * the same way. Plus the classification of driver errors.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ChatError } from '../../protocol/errors.js';
import { requireServices } from '../../testing/services.js';
import { TcpProxy } from '../../testing/tcp-proxy.js';
import { createGroup, createUsers, messageDraft, rejectsWith } from '../contract/harness.js';
import type { PostgresStorage } from './index.js';
import { createSchema, DATABASE_URL, dropSchema, openIn, unreachableReason, withClient } from './test-support.js';
import { DatabaseUnavailableError, isUnavailable } from './unavailable.js';

describe('unavailable: which failures mean "PostgreSQL is out of reach"', () => {
  it('connection loss, refusals, shutdowns and timeouts are; bad input and constraint violations are not', () => {
    for (const err of [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Query read timeout'),
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
      Object.assign(new Error('sorry, too many clients already'), { code: '53300' }),
      Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }),
      Object.assign(new Error('connection failure'), { code: '08006' }),
      new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]),
    ]) {
      assert.ok(isUnavailable(err), `${err.message} means unavailable`);
    }
    for (const err of [
      Object.assign(new Error('duplicate key'), { code: '23505' }),
      Object.assign(new Error('invalid input syntax'), { code: '22P02' }),
      Object.assign(new Error('deadlock detected'), { code: '40P01' }),
      Object.assign(new Error('syntax error'), { code: '42601' }),
      new Error('storage is closed'),
      new TypeError('x is undefined'),
      null,
      'ECONNREFUSED',
    ]) {
      assert.ok(!isUnavailable(err), `${String(err)} is not unavailable`);
    }
  });
});

const reason = await unreachableReason(DATABASE_URL);

requireServices('postgres storage out of reach', { postgres: reason }, () => {
  describe('postgres storage out of reach', () => {
    const applicationName = `chat-unavailable-${randomBytes(4).toString('hex')}`;
    let proxy: TcpProxy;
    let schema: string;
    let storage: PostgresStorage;

    before(async () => {
      const target = new URL(DATABASE_URL);
      proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
      const url = new URL(DATABASE_URL);
      url.hostname = '127.0.0.1';
      url.port = String(proxy.port);
      schema = await createSchema(DATABASE_URL);
      storage = await openIn(url.toString(), schema, { poolSize: 3, connectionTimeoutMs: 1_000, applicationName });
    });

    after(async () => {
      proxy?.restore();
      await storage?.close().catch(() => {});
      await proxy?.close();
      if (schema) await dropSchema(DATABASE_URL, schema);
    });

    async function isUnavailableRejection(call: Promise<unknown>, what: string): Promise<void> {
      await assert.rejects(call, (err: unknown) => {
        assert.ok(err instanceof DatabaseUnavailableError, `${what}: expected unavailable, got ${String(err)}`);
        assert.ok(err instanceof ChatError && err.code === 'unavailable' && err.status === 503);
        return true;
      });
    }

    it('every kind of call fails with unavailable while the path is cut, and works again after', async () => {
      const [alice, bob] = await createUsers(storage, 2);
      assert.ok(alice && bob);
      const group = await createGroup(storage, alice.id, [bob.id]);
      const conversationId = group.conversation.id;
      await storage.messages.append(messageDraft(conversationId, alice.id, 'before'));

      proxy.refuse();
      await isUnavailableRejection(storage.ping(), 'ping');
      await isUnavailableRejection(storage.users.byId(alice.id), 'users.byId');
      await isUnavailableRejection(storage.conversations.listForUser(alice.id), 'conversations.listForUser');
      // Group-committed writes: the batch fails as a whole, each caller hears unavailable.
      const draft = messageDraft(conversationId, alice.id, 'during');
      await Promise.all([
        isUnavailableRejection(storage.messages.append(draft), 'messages.append'),
        isUnavailableRejection(
          storage.messages.append(messageDraft(conversationId, bob.id, 'during too')),
          'a concurrent append',
        ),
        isUnavailableRejection(storage.delivery.ackDelivery(bob.id, 'dev', conversationId, 1, draft.createdAt), 'ack'),
      ]);

      proxy.restore();
      await storage.ping();
      // The refused append, repeated, is stored once; refusals for a reason stay what they were.
      const stored = await storage.messages.append(draft);
      assert.equal(stored.created, true);
      assert.equal(stored.message.seq, 3);
      assert.equal((await storage.messages.append(draft)).created, false);
      const [stranger] = await createUsers(storage, 1);
      assert.ok(stranger);
      await rejectsWith(storage.messages.append(messageDraft(conversationId, stranger.id, 'x')), 'not_member');
    });

    it('backends terminated server-side are replaced by the pool without a restart', async () => {
      const [alice, bob] = await createUsers(storage, 2);
      assert.ok(alice && bob);
      const group = await createGroup(storage, alice.id, [bob.id]);
      const conversationId = group.conversation.id;
      // Fill the pool, then kill every backend of it.
      await Promise.all([storage.ping(), storage.ping(), storage.ping()]);
      const killed = await withClient(DATABASE_URL, async (client) => {
        // In the select list, never in WHERE: there the planner may call it on rows of other applications.
        const { rows } = await client.query<{ done: boolean }>(
          'SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE application_name = $1',
          [applicationName],
        );
        return rows.filter((row) => row.done).length;
      });
      assert.ok(killed >= 1, `terminated ${killed} backends`);
      // Each call either succeeds or fails with unavailable; within a few calls every one succeeds.
      let failures = 0;
      let succeeded = 0;
      for (let i = 0; i < 20 && succeeded < 5; i++) {
        try {
          await storage.messages.append(messageDraft(conversationId, alice.id, `after ${i}`));
          succeeded++;
        } catch (err) {
          assert.ok(err instanceof DatabaseUnavailableError, `only unavailable, got ${String(err)}`);
          failures++;
        }
      }
      assert.equal(succeeded, 5, `the pool serves again (${failures} calls refused first)`);
      const page = await storage.messages.page(conversationId, { fromSeq: 1, toSeq: 100 }, { limit: 50 });
      assert.deepEqual(
        page.messages.map((m) => m.seq),
        [1, 2, 3, 4, 5, 6],
      );
    });
  });
});
