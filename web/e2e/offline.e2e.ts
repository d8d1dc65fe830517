/**
 * Writing while offline: messages show at once with a clock, go out in order
 * when the network is back, and survive a server restart and a page reload
 * without loss or duplicates.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import {
  apiUser,
  type BrowserUser,
  bubble,
  bubbleTexts,
  openApp,
  openChat,
  SocketSwitch,
  screenshot,
  sendMessage,
  startTestServer,
  type TestServer,
  type TestUser,
  tempDir,
  waitForTick,
} from './harness.js';

describe('offline composer', () => {
  let dataDir: string;
  let port: number;
  let server: TestServer;
  let alice: BrowserUser;
  let bob: BrowserUser;
  let users: { alice: TestUser; bob: TestUser };
  const switchboard = new SocketSwitch();

  before(async () => {
    dataDir = await tempDir('chat-e2e-data-');
    server = await startTestServer({ CHAT_DATA_DIR: dataDir });
    port = Number(new URL(server.url).port);
    users = { alice: await apiUser(server, 'Alice'), bob: await apiUser(server, 'Bob') };
    const conversationId = await server.api.direct(users.alice, users.bob);
    await server.api.send(users.bob, conversationId, 'Ping me when you are back');
    [alice, bob] = await Promise.all([
      openApp(server, { token: users.alice.token, before: (context) => switchboard.install(context) }),
      openApp(server, { token: users.bob.token }),
    ]);
    await openChat(alice.page, 'Bob');
    await openChat(bob.page, 'Alice');
  });

  after(async () => {
    await Promise.all([alice?.close(), bob?.close()]);
    await server?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('queues messages while offline, with a clock and a banner', async () => {
    await switchboard.goOffline(alice.context);
    await alice.page
      .getByRole('status')
      .filter({ hasText: /offline|Reconnecting|Connecting/ })
      .first()
      .waitFor();
    for (const text of ['offline one', 'offline two', 'offline three']) await sendMessage(alice.page, text);
    for (const text of ['offline one', 'offline two', 'offline three']) {
      await waitForTick(alice.page, text, 'queued');
    }
    await alice.page.getByText('3 messages will be sent when you are back.').waitFor();
    await screenshot(alice.page, '09-offline');
    await bob.page.waitForTimeout(300);
    assert.equal(await bubble(bob.page, 'offline one').count(), 0);
  });

  it('sends them in order when back online', async () => {
    await switchboard.goOnline(alice.context);
    await bubble(bob.page, 'offline three').waitFor();
    const texts = (await bubbleTexts(bob.page)).filter((t) => t.startsWith('offline'));
    assert.deepEqual(texts, ['offline one', 'offline two', 'offline three']);
    await waitForTick(alice.page, 'offline three', 'read');
    assert.equal(await alice.page.locator('[data-tick="queued"]').count(), 0);
    assert.equal(await alice.page.locator('.connection-banner').count(), 0);
  });

  it('loses and duplicates nothing across a server restart', async () => {
    await server.close();
    await alice.page.locator('.connection-banner').waitFor();
    await sendMessage(alice.page, 'sent during the restart');
    await waitForTick(alice.page, 'sent during the restart', 'queued');
    server = await startTestServer({ CHAT_DATA_DIR: dataDir, PORT: String(port) });
    await bubble(bob.page, 'sent during the restart').waitFor({ timeout: 40_000 });
    await waitForTick(alice.page, 'sent during the restart', 'read');
    await sendMessage(bob.page, 'welcome back');
    await bubble(alice.page, 'welcome back').waitFor();
    const expected = [
      'Ping me when you are back',
      'offline one',
      'offline two',
      'offline three',
      'sent during the restart',
      'welcome back',
    ];
    assert.deepEqual(await bubbleTexts(bob.page), expected);
    assert.deepEqual(await bubbleTexts(alice.page), expected);
    await alice.page.reload();
    await bubble(alice.page, 'welcome back').waitFor();
    assert.deepEqual(await bubbleTexts(alice.page), expected);
  });
});
