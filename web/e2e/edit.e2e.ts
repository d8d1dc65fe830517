/**
 * Message actions (reply, edit, delete for everyone) seen on both sides, and
 * the settings screen: profile, privacy (presence hidden), contacts, blocks.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  apiUser,
  type BrowserUser,
  bubble,
  chatLink,
  openApp,
  openChat,
  screenshot,
  sendMessage,
  startTestServer,
  type TestServer,
  type TestUser,
} from './harness.js';

describe('message actions and settings', () => {
  let server: TestServer;
  let alice: BrowserUser;
  let bob: BrowserUser;
  let users: { alice: TestUser; bob: TestUser };

  before(async () => {
    server = await startTestServer();
    users = { alice: await apiUser(server, 'Alice'), bob: await apiUser(server, 'Bob') };
    const id = await server.api.direct(users.alice, users.bob);
    await server.api.send(users.bob, id, 'Are you coming tonight?');
    [alice, bob] = await Promise.all([
      openApp(server, { token: users.alice.token }),
      openApp(server, { token: users.bob.token }),
    ]);
    await openChat(alice.page, 'Bob');
    await openChat(bob.page, 'Alice');
  });

  after(async () => {
    await Promise.all([alice?.close(), bob?.close()]);
    await server?.close();
  });

  async function action(user: BrowserUser, text: string, name: string) {
    const row = bubble(user.page, text);
    await row.hover();
    await row.getByRole('button', { name: 'Message actions' }).click();
    await user.page.getByRole('menuitem', { name }).click();
  }

  it('replies with a quote', async () => {
    await action(alice, 'Are you coming tonight?', 'Reply');
    await alice.page.getByText('Replying to Bob').waitFor();
    await sendMessage(alice.page, 'Helo, yes!');
    const reply = bubble(bob.page, 'Helo, yes!');
    await reply.locator('.reply-quote', { hasText: 'Are you coming tonight?' }).waitFor();
  });

  it('edits a message for everyone', async () => {
    await action(alice, 'Helo, yes!', 'Edit');
    const input = alice.page.getByLabel('Edit message');
    assert.equal(await input.inputValue(), 'Helo, yes!');
    await input.fill('Hello, yes!');
    await input.press('Enter');
    for (const user of [alice, bob]) {
      await bubble(user.page, 'Hello, yes!').getByText('edited').waitFor();
    }
    assert.equal(await bubble(bob.page, 'Helo, yes!').count(), 0);
  });

  it('deletes a message for everyone after a confirmation', async () => {
    await sendMessage(alice.page, 'Oops, wrong chat');
    await bubble(bob.page, 'Oops, wrong chat').waitFor();
    await action(alice, 'Oops, wrong chat', 'Delete for everyone');
    const dialog = alice.page.getByRole('alertdialog', { name: 'Delete message?' });
    await dialog.getByRole('button', { name: 'Delete for everyone' }).click();
    await alice.page.getByRole('log').getByText('You deleted this message').waitFor();
    await bob.page.getByRole('log').getByText('This message was deleted').waitFor();
    assert.equal(await bubble(bob.page, 'Oops, wrong chat').count(), 0);
    await chatLink(bob.page, 'Alice').getByText('This message was deleted').waitFor();
  });

  it('cannot edit or delete the other one’s messages', async () => {
    const row = bubble(alice.page, 'Are you coming tonight?');
    await row.hover();
    await row.getByRole('button', { name: 'Message actions' }).click();
    const items = await alice.page.getByRole('menuitem').allTextContents();
    // No Edit and no Delete for everyone on the other one's message.
    assert.deepEqual(items, ['Reply', 'Copy', 'React', 'Forward', 'Pin']);
    // Keyboard: arrows move through the menu, Escape closes it and returns focus to its button.
    await alice.page.keyboard.press('ArrowDown');
    assert.equal(await alice.page.evaluate(() => document.activeElement?.textContent), 'Copy');
    await alice.page.keyboard.press('Escape');
    await alice.page.getByRole('menu').waitFor({ state: 'detached' });
    assert.equal(
      await alice.page.evaluate(() => document.activeElement?.getAttribute('aria-label')),
      'Message actions',
    );
  });

  it('changes the display name, seen by the other side', async () => {
    const { page } = alice;
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await page.getByLabel('Display name').fill('Alice in Wonderland');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    await screenshot(page, '10-settings');
    await bob.page.reload();
    await chatLink(bob.page, 'Alice in Wonderland').waitFor();
  });

  it('hides presence and last seen when privacy says nobody', async () => {
    await bob.page.locator('.chat-subtitle', { hasText: 'online' }).waitFor();
    await alice.page.getByLabel("Who can see when I'm online").selectOption('nobody');
    await alice.page.getByLabel('Who can see my last seen').selectOption('nobody');
    await alice.page.waitForTimeout(300);
    await bob.page.reload();
    await bob.page.locator('.chat-title', { hasText: 'Alice in Wonderland' }).waitFor();
    await bob.page.waitForTimeout(500);
    assert.equal(await bob.page.locator('.chat-subtitle').count(), 0);
  });

  it('adds a contact and blocks a user, and lists them', async () => {
    const { page } = alice;
    await page.getByRole('button', { name: 'Add contact' }).click();
    await page.getByLabel('Find a contact by username').fill(users.bob.user.username);
    await page.getByRole('button', { name: 'Add contact Bob' }).click();
    await page.getByRole('button', { name: 'Remove Bob from contacts' }).waitFor();

    await page.getByRole('button', { name: 'Block someone' }).click();
    await page.getByLabel('Find a user to block').fill(users.bob.user.username);
    await page.getByRole('button', { name: 'Block Bob' }).click();
    await page.getByRole('button', { name: 'Unblock Bob' }).waitFor();
    await sendMessage(bob.page, 'Can you hear me?');
    await bob.page.getByText(/Not sent:/).waitFor();
    await page.getByRole('button', { name: 'Unblock Bob' }).click();
    await page.getByText('Blocked users cannot message you in direct chats.').waitFor();
    await bob.page.getByRole('button', { name: 'Retry' }).click();
    await page.keyboard.press('Escape');
    await bubble(page, 'Can you hear me?').waitFor();
  });
});
