/**
 * Two people register in the browser, start a chat and talk: typing
 * indicators, presence, and ticks that turn blue when read. Also the narrow
 * (390×844) layout.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type BrowserUser,
  bubble,
  chatLink,
  openApp,
  openChat,
  registerViaUi,
  screenshot,
  sendMessage,
  startTestServer,
  type TestServer,
  uniqueName,
  waitForTick,
} from './harness.js';

describe('two people chatting', () => {
  let server: TestServer;
  let alice: BrowserUser;
  let bob: BrowserUser;
  const bobName = uniqueName('bob');

  before(async () => {
    server = await startTestServer();
    [alice, bob] = await Promise.all([openApp(server), openApp(server, { viewport: { width: 390, height: 844 } })]);
  });

  after(async () => {
    await Promise.all([alice?.close(), bob?.close()]);
    await server?.close();
  });

  it('registers both in the browser', async () => {
    await alice.page.getByRole('heading', { name: 'Welcome back' }).waitFor();
    await screenshot(alice.page, '01-login');
    await registerViaUi(alice.page, uniqueName('alice'), 'Alice Liddell');
    await registerViaUi(bob.page, bobName, 'Bob Builder');
    await alice.page.getByText('No chats yet.').waitFor();
  });

  it('starts a chat by username and delivers a message (two grey ticks)', async () => {
    const { page } = alice;
    await page.getByRole('button', { name: 'New chat' }).click();
    await page.getByLabel('Search users by username').fill(bobName.slice(0, 6));
    await page.getByRole('button', { name: 'Chat with Bob Builder' }).click();
    await page.locator('.chat-title', { hasText: 'Bob Builder' }).waitFor();
    assert.match(page.url(), /\/c\/[^/]+$/);

    await sendMessage(page, 'Hi Bob! Climbing on Saturday?');
    // Bob is online: the SDK on his side acknowledges delivery.
    await waitForTick(page, 'Climbing on Saturday', 'delivered');
    await page.getByTestId('chat-subtitle').filter({ hasText: 'online' }).waitFor();
  });

  it('shows the new chat in the other list with an unread badge, live', async () => {
    const { page } = bob;
    const link = chatLink(page, 'Alice Liddell');
    await link.waitFor();
    await link.getByText('Climbing on Saturday?').waitFor();
    assert.equal(await link.locator('.badge').textContent(), '1 unread');
    await screenshot(page, '07-mobile-list');
  });

  it('turns the ticks blue when the message is read', async () => {
    await openChat(bob.page, 'Alice Liddell');
    await bubble(bob.page, 'Climbing on Saturday?').waitFor();
    await waitForTick(alice.page, 'Climbing on Saturday', 'read');
    await chatLink(alice.page, 'Bob Builder').locator('[data-tick="read"]').waitFor();
  });

  it('shows "typing…" in the header and the list while the other one types', async () => {
    await bob.page.getByLabel('Type a message').pressSequentially('Sure, ', { delay: 30 });
    await alice.page.getByTestId('chat-subtitle').filter({ hasText: 'typing…' }).waitFor();
    await chatLink(alice.page, 'Bob Builder').getByText('typing…').waitFor();
    await bob.page.getByLabel('Type a message').pressSequentially('10am at the crag.', { delay: 10 });
    await bob.page.getByLabel('Type a message').press('Shift+Enter');
    await bob.page.getByLabel('Type a message').pressSequentially('Bring snacks 🍫');
    await bob.page.getByLabel('Type a message').press('Enter');
    await bubble(alice.page, 'Bring snacks').waitFor();
    await alice.page
      .getByTestId('chat-subtitle')
      .filter({ hasText: /^online$/ })
      .waitFor();
    // Alice has the chat open at the bottom: Bob's message is read at once.
    await waitForTick(bob.page, 'Bring snacks', 'read');
    const text = await bubble(alice.page, 'Bring snacks').locator('.bubble-text').textContent();
    assert.match(text ?? '', /10am at the crag\.\nBring snacks/);
  });

  it('keeps order and ids across a burst of messages', async () => {
    for (const n of [1, 2, 3, 4, 5]) await sendMessage(alice.page, `burst ${n}`);
    await bubble(bob.page, 'burst 5').waitFor();
    const texts = await bob.page.locator('.message-row .bubble-text').allInnerTexts();
    const burst = texts.filter((t) => t.startsWith('burst')).map((t) => t.split('\n')[0]?.trim());
    assert.deepEqual(burst, ['burst 1', 'burst 2', 'burst 3', 'burst 4', 'burst 5']);
    await waitForTick(alice.page, 'burst 5', 'read');
    await screenshot(alice.page, '03-chat');
    await screenshot(bob.page, '08-mobile-chat');
  });

  it('goes back to the list on a narrow screen', async () => {
    await bob.page.getByRole('button', { name: 'Back to chats' }).click();
    await bob.page.getByRole('heading', { name: 'Chats' }).waitFor();
    assert.equal(new URL(bob.page.url()).pathname, '/');
    assert.equal(await chatLink(bob.page, 'Alice Liddell').locator('.badge').count(), 0);
  });

  it('shows "last seen today at …" when the other one leaves', async () => {
    await bob.close();
    await alice.page
      .getByTestId('chat-subtitle')
      .filter({ hasText: /^last seen today at \d\d:\d\d$/ })
      .waitFor();
  });
});
