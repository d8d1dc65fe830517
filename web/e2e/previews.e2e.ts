/**
 * Link previews in the browser: a message with a link gets its card (image,
 * title, description, host) under the text, live on both sides, and again
 * from history after a reload.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type PreviewSite, startPreviewSite } from '../../src/testing/preview-site.js';
import {
  apiUser,
  type BrowserUser,
  bubble,
  openApp,
  openChat,
  screenshot,
  sendMessage,
  startTestServer,
  type TestServer,
  type TestUser,
} from './harness.js';

describe('link previews', () => {
  let site: PreviewSite;
  let server: TestServer;
  let alice: BrowserUser;
  let bob: BrowserUser;
  let users: { alice: TestUser; bob: TestUser };

  before(async () => {
    site = await startPreviewSite();
    server = await startTestServer({ CHAT_LINK_PREVIEW_UNSAFE_ALLOW: `127.0.0.1:${site.port}` });
    users = { alice: await apiUser(server, 'Alice'), bob: await apiUser(server, 'Bob') };
    const id = await server.api.direct(users.alice, users.bob);
    await server.api.send(users.bob, id, 'Send me that article');
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
    await site?.close();
  });

  it('shows the card under the message on both sides, live, with its image', async () => {
    const text = `Here it is: ${site.origin}/og-slow`;
    await sendMessage(alice.page, text);
    for (const user of [bob, alice]) {
      const card = bubble(user.page, 'Here it is:').getByTestId('link-preview');
      await card.getByText('The OG title').waitFor();
      await card.getByText('The OG description & more').waitFor();
      await card.getByText('127.0.0.1').waitFor();
      assert.equal(await card.getAttribute('href'), `${site.origin}/og-slow`);
      assert.equal(await card.getAttribute('target'), '_blank');
      const image = card.locator('img');
      await image.waitFor();
      await user.page.waitForFunction(
        (el) => el instanceof HTMLImageElement && el.complete && el.naturalWidth > 0,
        await image.elementHandle(),
      );
      assert.equal(await image.evaluate((el) => (el as HTMLImageElement).naturalWidth), 320);
    }
    await screenshot(bob.page, 'link-preview');
  });

  it('shows the card again from history after a reload', async () => {
    await bob.page.reload();
    await openChat(bob.page, 'Alice');
    await bubble(bob.page, 'Here it is:').getByTestId('link-preview').getByText('The OG title').waitFor();
    // The page was fetched once, for both sides and the reload.
    assert.equal(site.hits.get('/og-slow'), 1);
  });
});
