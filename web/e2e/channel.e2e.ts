/**
 * A broadcast channel in the browser: an admin creates it, a reader finds and
 * joins it, the admin posts, the reader sees the post without a composer
 * ("Only admins can post"), and the admin sees how many members read it.
 */
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

describe('a broadcast channel', () => {
  let server: TestServer;
  let admin: BrowserUser;
  let reader: BrowserUser;
  let users: { admin: TestUser; reader: TestUser };

  before(async () => {
    server = await startTestServer();
    users = { admin: await apiUser(server, 'Ada'), reader: await apiUser(server, 'Rex') };
    [admin, reader] = await Promise.all([
      openApp(server, { token: users.admin.token }),
      openApp(server, { token: users.reader.token }),
    ]);
  });

  after(async () => {
    await Promise.all([admin?.close(), reader?.close()]);
    await server?.close();
  });

  it('is created by an admin and joined by a reader who finds it', async () => {
    const { page } = admin;
    await page.getByRole('button', { name: 'New channel' }).click();
    await page.getByLabel('Channel name').fill('Lighthouse news');
    await page.getByRole('button', { name: 'Create channel' }).click();
    await page.locator('.chat-title', { hasText: 'Lighthouse news' }).waitFor();
    await page.getByTestId('channel-bar').getByText('Channel · 1 member').waitFor();

    const other = reader.page;
    await other.getByRole('button', { name: 'New channel' }).click();
    await other.getByLabel('Find a public channel').fill('lighthouse');
    await other.getByRole('button', { name: 'Search channels' }).click();
    await other.getByRole('list', { name: 'Public channels' }).getByRole('button', { name: 'Join' }).click();
    await other.locator('.chat-title', { hasText: 'Lighthouse news' }).waitFor();
  });

  it('delivers an admin post to the reader, who has no composer', async () => {
    await sendMessage(admin.page, 'The lamp is lit tonight');
    const other = reader.page;
    await bubble(other, 'The lamp is lit tonight').waitFor();
    await other.getByRole('note').getByText('Only admins can post').waitFor();
    if ((await other.locator('form.composer').count()) !== 0) throw new Error('a reader must have no composer');
    await chatLink(other, 'Lighthouse news').waitFor();
    await screenshot(other, 'channel-reader');
  });

  it('shows the admin how many members read the newest post', async () => {
    await openChat(reader.page, 'Lighthouse news');
    await admin.page.reload();
    await openChat(admin.page, 'Lighthouse news');
    await admin.page
      .getByTestId('channel-readers')
      .getByText('Latest post read by 1 of 2')
      .waitFor({ timeout: 15_000 });
    await screenshot(admin.page, 'channel-admin');
  });
});
