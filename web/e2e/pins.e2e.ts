/**
 * Pins and archive in the browser: a chat pinned from its menu goes to the top
 * with a pin; an archived chat leaves the list for "Archived" and comes back
 * when a new message arrives; a pinned message shows in a bar at the top of
 * the chat, and a click on the bar jumps to it.
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

describe('pins and archive', () => {
  let server: TestServer;
  let alice: BrowserUser;
  let users: { alice: TestUser; bob: TestUser; carol: TestUser; dave: TestUser };
  const chats: Record<'bob' | 'carol' | 'dave', string> = { bob: '', carol: '', dave: '' };

  before(async () => {
    server = await startTestServer();
    users = {
      alice: await apiUser(server, 'Alice'),
      bob: await apiUser(server, 'Bob'),
      carol: await apiUser(server, 'Carol'),
      dave: await apiUser(server, 'Dave'),
    };
    // Oldest activity first: Bob's chat ends up at the bottom of the list, with enough history
    // that its first message is off screen.
    for (const name of ['bob', 'carol', 'dave'] as const) {
      chats[name] = await server.api.direct(users[name], users.alice);
      await server.api.send(users[name], chats[name], `Hi from ${name}`);
      if (name === 'bob') for (let n = 1; n <= 40; n++) await server.api.send(users.bob, chats.bob, `filler ${n}`);
    }
    alice = await openApp(server, { token: users.alice.token });
  });

  after(async () => {
    await alice?.close();
    await server?.close();
  });

  const titles = () => alice.page.locator('a.conversation .conversation-title').allTextContents();

  it('pins a chat from its menu: it moves to the top with a pin', async () => {
    const { page } = alice;
    await chatLink(page, 'Dave').waitFor();
    assert.equal((await titles()).at(-1), 'Bob');
    await openChat(page, 'Bob');
    await page.getByRole('button', { name: 'Chat menu' }).click();
    await page.getByRole('menuitem', { name: 'Pin chat' }).click();
    await chatLink(page, 'Bob').getByTestId('pin-mark').waitFor();
    await page.waitForFunction(
      () => document.querySelector('a.conversation .conversation-title')?.textContent === 'Bob',
    );
    assert.deepEqual(await titles(), ['Bob', 'Dave', 'Carol']);
    // The menu now offers the opposite.
    await page.getByRole('button', { name: 'Chat menu' }).click();
    await page.getByRole('menuitem', { name: 'Unpin chat' }).waitFor();
    await page.keyboard.press('Escape');
  });

  it('archives a chat: it leaves the list for "Archived" and comes back on a new message', async () => {
    const { page } = alice;
    await openChat(page, 'Carol');
    await page.getByRole('button', { name: 'Chat menu' }).click();
    await page.getByRole('menuitem', { name: 'Archive chat' }).click();
    await chatLink(page, 'Carol').waitFor({ state: 'detached' });
    await page.getByTestId('archived-count').filter({ hasText: '1' }).waitFor();

    // The archived list holds it; back to the main list.
    await page.getByRole('button', { name: /Archived/ }).click();
    await chatLink(page, 'Carol').waitFor();
    assert.deepEqual(await titles(), ['Carol']);
    await screenshot(page, 'pins-archived-list');
    await page.getByRole('button', { name: 'Archived' }).click();
    await chatLink(page, 'Dave').waitFor();

    // Carol writes: the chat is back in the main list, and "Archived" is gone.
    await server.api.send(users.carol, chats.carol, 'Still there?');
    await chatLink(page, 'Carol').getByText('Still there?').waitFor();
    await page.getByTestId('archived-count').waitFor({ state: 'detached' });
  });

  it('pins a message: a bar at the top of the chat shows it and jumps to it', async () => {
    const { page } = alice;
    await openChat(page, 'Bob');
    // A message in the middle of the screen, away from the notices at the bottom.
    const target = bubble(page, 'filler 35');
    await target.waitFor();
    // By keyboard: the button may sit under other hover controls of the bubble.
    await target.hover();
    await target.getByRole('button', { name: 'Message actions' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('menuitem', { name: 'Pin', exact: true }).click();
    const bar = page.getByTestId('pinned-bar');
    await bar.getByText('filler 35').waitFor();

    // Bob pins the first message of the chat from his side: the bar follows live.
    const history = await server.api.request('GET', `/api/v1/conversations/${chats.bob}/messages?limit=200`, {
      token: users.bob.token,
    });
    const first = history.body.messages.find((m: { content: string }) => m.content === 'Hi from bob');
    const pinned = await server.api.request('PUT', `/api/v1/conversations/${chats.bob}/pinned-messages/${first.id}`, {
      token: users.bob.token,
    });
    assert.equal(pinned.status, 200);
    await bar.getByText('Hi from bob').waitFor();
    await screenshot(page, 'pins-bar');

    // A click jumps to the pinned message, far above the newest ones, and flashes it.
    await bar.click();
    await bubble(page, 'Hi from bob').locator('.bubble.flash').waitFor();
    const inView = await bubble(page, 'Hi from bob').evaluate((row) => {
      const box = row.getBoundingClientRect();
      const area = row.closest('.messages')?.getBoundingClientRect();
      return area ? box.bottom > area.top && box.top < area.bottom : false;
    });
    assert.ok(inView, 'the pinned message is on screen');
  });
});
