/**
 * Mentions and forwarding in the browser: the composer's @ autocomplete driven
 * by the keyboard, the mention highlighted (and "you" for the mentioned
 * member), the "@" badge until the chat is read, and forwarding a message
 * to another chat, where it shows as "Forwarded".
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
  startTestServer,
  type TestServer,
  type TestUser,
} from './harness.js';

describe('mentions and forwarding', () => {
  let server: TestServer;
  let alice: BrowserUser;
  let bob: BrowserUser;
  let carol: BrowserUser;
  let users: { alice: TestUser; bob: TestUser; carol: TestUser };

  before(async () => {
    server = await startTestServer();
    users = {
      alice: await apiUser(server, 'Alice'),
      bob: await apiUser(server, 'Bob'),
      carol: await apiUser(server, 'Carol'),
    };
    await server.api.group(users.alice, [users.bob, users.carol], 'Planning');
    await server.api.direct(users.alice, users.carol);
    [alice, bob, carol] = await Promise.all([
      openApp(server, { token: users.alice.token }),
      openApp(server, { token: users.bob.token }),
      openApp(server, { token: users.carol.token }),
    ]);
  });

  after(async () => {
    await Promise.all([alice?.close(), bob?.close(), carol?.close()]);
    await server?.close();
  });

  it('autocompletes @ from the members with the keyboard; the mention is highlighted and badged', async () => {
    const { page } = alice;
    await openChat(page, 'Planning');
    const input = page.getByLabel('Type a message');
    await input.click();
    await input.pressSequentially('Lunch @');
    const picker = page.getByRole('listbox', { name: 'Mention a member' });
    await picker.waitFor();
    assert.deepEqual(
      await picker.locator('.mention-option-name').allTextContents(),
      ['Bob', 'Carol'],
      'the other members, not me',
    );
    await input.press('ArrowDown');
    await picker.getByRole('option', { name: /Carol/, selected: true }).waitFor();
    await input.press('ArrowUp');
    await picker.getByRole('option', { name: /Bob/, selected: true }).waitFor();
    await input.press('Enter');
    await picker.waitFor({ state: 'detached' });
    assert.equal(await input.inputValue(), `Lunch @${users.bob.user.username} `);
    // Typing narrows the list; Escape closes it without choosing.
    await input.pressSequentially('and @ca');
    await picker.getByRole('option', { name: /Carol/ }).waitFor();
    assert.equal(await picker.getByRole('option').count(), 1);
    await input.press('Escape');
    await picker.waitFor({ state: 'detached' });
    await input.pressSequentially(`${users.carol.user.username.slice(2)}?`);
    await input.press('Enter');

    const own = bubble(page, 'Lunch');
    await own.locator('.mention', { hasText: `@${users.bob.user.username}` }).waitFor();
    await own.locator('.mention', { hasText: `@${users.carol.user.username}` }).waitFor();
    assert.equal(await own.locator('.mention-me').count(), 0);

    // Bob has not opened the chat: an "@" badge; opening it shows "you" and clears the badge.
    const row = chatLink(bob.page, 'Planning');
    await row.getByTestId('mention-badge').waitFor();
    await screenshot(bob.page, 'mentions-badge');
    await openChat(bob.page, 'Planning');
    await bubble(bob.page, 'Lunch')
      .locator('.mention-me', { hasText: `@${users.bob.user.username}` })
      .waitFor();
    await row.getByTestId('mention-badge').waitFor({ state: 'detached' });
    await screenshot(bob.page, 'mentions-highlight');
  });

  it('forwards a message to another chat, shown there as "Forwarded"', async () => {
    const { page } = alice;
    const message = bubble(page, 'Lunch');
    await message.hover();
    await message.getByRole('button', { name: 'Message actions' }).click();
    await page.getByRole('menuitem', { name: 'Forward' }).click();
    const dialog = page.getByRole('dialog', { name: 'Forward message to…' });
    await dialog.getByLabel('Carol').check();
    await dialog.getByRole('button', { name: 'Forward' }).click();
    await dialog.waitFor({ state: 'detached' });
    await openChat(carol.page, 'Alice');
    const copy = bubble(carol.page, 'Lunch');
    await copy.getByText('Forwarded').waitFor();
    assert.equal(await bubble(page, 'Lunch').locator('.forwarded-label').count(), 0, 'the original is not marked');
    await screenshot(carol.page, 'forwarded');
  });
});
