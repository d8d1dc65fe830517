/**
 * Message search: across all chats and within one, the query's words
 * highlighted, and a hit far back in history opening the chat scrolled to it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  apiUser,
  type BrowserUser,
  bubble,
  chatLink,
  openApp,
  screenshot,
  startTestServer,
  type TestServer,
  type TestUser,
} from './harness.js';

describe('search', () => {
  let server: TestServer;
  let alice: BrowserUser;
  let users: { alice: TestUser; bob: TestUser; carol: TestUser };
  const needle = 'Shall we go bouldering at Fontainebleau on Saturday?';

  before(async () => {
    server = await startTestServer();
    users = {
      alice: await apiUser(server, 'Alice'),
      bob: await apiUser(server, 'Bob'),
      carol: await apiUser(server, 'Carol'),
    };
    const withBob = await server.api.direct(users.alice, users.bob);
    const withCarol = await server.api.direct(users.alice, users.carol);
    await server.api.send(users.bob, withBob, 'Morning! Coffee first?');
    await server.api.send(users.bob, withBob, needle);
    // Enough later messages that the hit is not in the first page of history.
    for (let i = 1; i <= 90; i += 1) {
      const from = i % 2 ? users.alice : users.bob;
      await server.api.send(from, withBob, `filler message number ${i}`);
    }
    await server.api.send(users.carol, withCarol, 'The bouldering gym opens at 9');
    alice = await openApp(server, { token: users.alice.token });
  });

  after(async () => {
    await alice?.close();
    await server?.close();
  });

  it('finds messages in every chat, with the words highlighted', async () => {
    const { page } = alice;
    await chatLink(page, 'Carol').waitFor();
    await screenshot(page, '02-chat-list');
    await page.getByRole('button', { name: 'Search messages' }).click();
    await page.getByLabel('Search messages in all chats').fill('boulder');
    const results = page.locator('.search-result');
    await page.getByText('2 messages found').waitFor();
    assert.equal(await results.count(), 2);
    const marks = await page.locator('.search-result mark').allTextContents();
    assert.deepEqual(marks.map((m) => m.toLowerCase()).sort(), ['boulder', 'boulder']);

    await page.getByLabel('Search messages in all chats').fill('boulder font');
    await page.getByText('1 message found').waitFor();
    assert.deepEqual(await page.locator('.search-result mark').allTextContents(), ['boulder', 'Font']);
    await screenshot(page, '05-search');
  });

  it('opens the chat scrolled to the hit, far back in history', async () => {
    const { page } = alice;
    await page.locator('.search-result').first().click();
    await page.locator('.chat-title', { hasText: 'Bob' }).waitFor();
    const hit = bubble(page, 'Fontainebleau');
    await hit.locator('.bubble.flash').waitFor();
    const box = await hit.boundingBox();
    const view = await page.locator('.messages').boundingBox();
    assert.ok(box && view && box.y >= view.y && box.y + box.height <= view.y + view.height, 'the hit is on screen');
    // The window around the hit, not the newest page.
    assert.equal(await bubble(page, 'filler message number 90').count(), 0);
    await screenshot(page, '06-search-hit');
  });

  it('jumps back to the newest messages', async () => {
    const { page } = alice;
    await page.getByRole('button', { name: 'Back' }).click();
    await page.getByRole('button', { name: 'Jump to newest message' }).click();
    await bubble(page, 'filler message number 90').waitFor();
    await page.getByRole('button', { name: 'Jump to newest message' }).waitFor({ state: 'detached' });
  });

  it('pages through older history when scrolling up', async () => {
    const { page } = alice;
    assert.equal(await bubble(page, 'Morning! Coffee first?').count(), 0);
    for (let i = 0; i < 10 && (await bubble(page, 'Morning! Coffee first?').count()) === 0; i += 1) {
      await page.locator('.messages').evaluate((el) => el.scrollTo({ top: 0 }));
      await page.waitForTimeout(300);
    }
    await bubble(page, 'Morning! Coffee first?').waitFor();
    const texts = await page.locator('.message-row .bubble-text').allInnerTexts();
    const numbers = texts
      .map((t) => /number (\d+)/.exec(t)?.[1])
      .filter(Boolean)
      .map(Number);
    assert.deepEqual(
      numbers,
      Array.from({ length: 90 }, (_, i) => i + 1),
      'every message once, in order',
    );
  });

  it('searches within one chat', async () => {
    const { page } = alice;
    await page.getByRole('button', { name: 'Search in this chat' }).click();
    await page.getByLabel(/Search messages in Bob/).fill('bould');
    await page.getByText('1 message found').waitFor();
    await chatLink(page, 'Carol').waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('region', { name: 'Search in chat' }).waitFor({ state: 'detached' });
  });
});
