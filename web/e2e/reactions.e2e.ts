/**
 * Reactions in two browsers: Alice reacts from the picker under Bob's
 * message and Bob sees the chip appear live; Bob adds his own, the counts
 * agree on both sides; Alice takes hers back and it goes from both.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  apiUser,
  type BrowserUser,
  bubble,
  openApp,
  openChat,
  screenshot,
  startTestServer,
  type TestServer,
  type TestUser,
} from './harness.js';

describe('reactions', () => {
  let server: TestServer;
  let alice: BrowserUser;
  let bob: BrowserUser;
  let users: { alice: TestUser; bob: TestUser };

  before(async () => {
    server = await startTestServer();
    users = { alice: await apiUser(server, 'Alice'), bob: await apiUser(server, 'Bob') };
    const id = await server.api.direct(users.alice, users.bob);
    await server.api.send(users.bob, id, 'Pizza tonight?');
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

  const chip = (user: BrowserUser, emoji: string) =>
    bubble(user.page, 'Pizza tonight?').locator('.reaction-chip', { hasText: emoji });

  it('a reaction picked in one browser shows as a chip in the other', async () => {
    const row = bubble(alice.page, 'Pizza tonight?');
    await row.hover();
    await row.getByRole('button', { name: 'Message actions' }).click();
    await alice.page.getByRole('menuitem', { name: 'React', exact: true }).click();
    await alice.page.getByRole('menuitem', { name: 'React 👍' }).click();
    await chip(alice, '👍').waitFor();
    await chip(bob, '👍').waitFor();
    assert.equal((await chip(bob, '👍').textContent())?.replace(/\s/g, ''), '👍1');
    assert.equal(await chip(alice, '👍').getAttribute('aria-pressed'), 'true');
    assert.equal(await chip(bob, '👍').getAttribute('aria-pressed'), 'false');

    // Bob taps the chip: his reaction joins, the count is 2 on both sides.
    await chip(bob, '👍').click();
    for (const user of [alice, bob]) {
      await user.page.waitForFunction(
        () => document.querySelector('.reaction-chip .reaction-count')?.textContent === '2',
      );
    }
    assert.equal(await chip(bob, '👍').getAttribute('aria-pressed'), 'true');
    await screenshot(bob.page, 'reactions-both');

    // Alice takes hers back: 1 left, hers no longer pressed.
    await chip(alice, '👍').click();
    for (const user of [alice, bob]) {
      await user.page.waitForFunction(
        () => document.querySelector('.reaction-chip .reaction-count')?.textContent === '1',
      );
    }
    assert.equal(await chip(alice, '👍').getAttribute('aria-pressed'), 'false');
  });
});
