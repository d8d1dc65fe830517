/**
 * Push jobs outlive the node that queued them (a restart sends what was
 * queued), and several nodes sharing PostgreSQL send each notification once.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { createSchema, DATABASE_URL, dropSchema, unreachableReason } from '../store/postgres/test-support.js';
import { startTestServer, type TestServer, tempDir } from '../testing/server.js';
import { requireServices } from '../testing/services.js';
import { waitFor } from '../testing/ws.js';
import { generateVapidKeys } from './providers/web-push.js';
import { LocalPushService, sleep } from './testing/push-service.js';

describe('push jobs across a restart (embedded)', () => {
  let dir: string;
  let service: LocalPushService;

  before(async () => {
    dir = await tempDir('chat-push-restart-');
    service = await LocalPushService.start(dir);
  });
  after(async () => {
    await service.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('sends, after a restart, the notifications queued before it', async () => {
    const env = {
      CHAT_DATA_DIR: `${dir}/data`,
      CHAT_PUSH_GRACE_MS: '1500',
      CHAT_PUSH_COALESCE_MS: '1500',
      CHAT_PUSH_POLL_MS: '200',
      CHAT_PUSH_CA_FILE: service.caFile,
      CHAT_WEB_PUSH_HOSTS: '127.0.0.1',
    };
    const first = await startTestServer(env);
    let second: TestServer | undefined;
    try {
      const alice = await first.api.user('alice');
      const bob = await first.api.user('bob');
      const conversationId = await first.api.direct(alice, bob);
      await service.subscribe(first.api, bob);
      await first.api.send(alice, conversationId, 'before');
      await first.api.send(alice, conversationId, 'the restart');
      assert.equal(await first.node.storage.pushQueue.depth(), 1, 'one coalesced job queued');
      await first.close();
      assert.equal(service.requestsFor(bob).length, 0, 'nothing sent before the stop');

      second = await startTestServer(env);
      const [notification] = await waitFor(
        'the queued notification',
        () => (service.received(bob).length > 0 ? service.received(bob) : undefined),
        8000,
      );
      assert.equal(notification?.body, 'alice: 2 new messages');
      assert.equal(notification?.conversationId, conversationId);
      await waitFor('an empty queue', async () =>
        (await second?.node.storage.pushQueue.depth()) === 0 ? true : undefined,
      );
    } finally {
      await first.close();
      await second?.close();
    }
  });
});

requireServices('push on two nodes sharing PostgreSQL', { postgres: await unreachableReason(DATABASE_URL) }, () => {
  describe('push on two nodes sharing PostgreSQL', () => {
    let dir: string;
    let schema: string;
    let service: LocalPushService;
    let nodes: TestServer[] = [];

    before(async () => {
      dir = await tempDir('chat-push-pg-');
      service = await LocalPushService.start(dir);
      schema = await createSchema(DATABASE_URL);
      const vapid = generateVapidKeys();
      const env = {
        DATABASE_URL,
        CHAT_DATABASE_SCHEMA: schema,
        CHAT_VAPID_PUBLIC_KEY: vapid.publicKey,
        CHAT_VAPID_PRIVATE_KEY: vapid.privateKey,
        CHAT_PUSH_GRACE_MS: '300',
        CHAT_PUSH_COALESCE_MS: '1000',
        CHAT_PUSH_POLL_MS: '50',
        CHAT_PUSH_CA_FILE: service.caFile,
        CHAT_WEB_PUSH_HOSTS: '127.0.0.1',
      };
      nodes = [await startTestServer(env), await startTestServer(env)];
    });
    after(async () => {
      await Promise.all(nodes.map((node) => node.close()));
      await dropSchema(DATABASE_URL, schema);
      await service.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('sends one notification for a burst stored through both nodes', async () => {
      const [a, b] = nodes;
      assert.ok(a && b);
      const alice = await a.api.user('alice');
      const bob = await a.api.user('bob');
      const conversationId = await a.api.direct(alice, bob);
      await service.subscribe(b.api, bob);
      await a.api.send(alice, conversationId, 'one');
      await b.api.send(alice, conversationId, 'two');
      await a.api.send(alice, conversationId, 'three');
      await b.api.send(alice, conversationId, 'four');
      const [notification] = await waitFor(
        'a notification',
        () => (service.received(bob).length > 0 ? service.received(bob) : undefined),
        8000,
      );
      await sleep(1500);
      assert.equal(service.received(bob).length, 1, 'sent once, whichever node claimed it');
      assert.equal(notification?.body, 'alice: 4 new messages');
      assert.equal(notification?.badge, 4);
    });
  });
});
