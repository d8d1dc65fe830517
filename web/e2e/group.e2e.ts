/**
 * A group of three: created in the browser, roles and receipts in the info
 * panels, and an admin removing a member, who then sees nothing new.
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
  waitForTick,
} from './harness.js';

describe('a group of three', () => {
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

  it('creates a group with a name and members', async () => {
    const { page } = alice;
    await page.getByRole('button', { name: 'New group' }).click();
    await page.getByLabel('Group name').fill('Weekend crew');
    const picker = page.getByLabel('Add members by username');
    await picker.fill(users.bob.user.username);
    await page.getByRole('button', { name: 'Add Bob' }).click();
    await picker.fill(users.carol.user.username);
    await page.getByRole('button', { name: 'Add Carol' }).click();
    await page.getByRole('button', { name: 'Create group' }).click();
    await page.locator('.chat-title', { hasText: 'Weekend crew' }).waitFor();
    await page.locator('.system-message', { hasText: 'You created the group "Weekend crew"' }).waitFor();
    await sendMessage(page, 'Who is in for Saturday?');
    for (const other of [bob, carol]) await chatLink(other.page, 'Weekend crew').getByText('Who is in').waitFor();
  });

  it('shows "read" only once every member read, with a receipts panel', async () => {
    await openChat(bob.page, 'Weekend crew');
    await waitForTick(alice.page, 'Who is in for Saturday?', 'delivered');
    await openChat(carol.page, 'Weekend crew');
    await waitForTick(alice.page, 'Who is in for Saturday?', 'read');
    await sendMessage(bob.page, 'Me! 🙋');
    await bubble(carol.page, 'Me!').getByText('Bob').waitFor();

    const own = bubble(alice.page, 'Who is in for Saturday?');
    await own.hover();
    await own.getByRole('button', { name: 'Message actions' }).click();
    await alice.page.getByRole('menuitem', { name: 'Message info' }).click();
    const panel = alice.page.getByRole('region', { name: 'Message info' });
    await panel.getByRole('heading', { name: 'Read by' }).waitFor();
    await panel.getByText('Bob', { exact: true }).waitFor();
    await panel.getByText('Carol', { exact: true }).waitFor();
    await alice.page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached' });
  });

  it('lists members with roles; an admin promotes one and removes another', async () => {
    const { page } = alice;
    await page.getByRole('button', { name: 'Group info', exact: true }).click();
    const panel = page.getByRole('region', { name: 'Group info' });
    await panel.getByText('3 members', { exact: true }).waitFor();
    const row = (name: string) => panel.locator('.member-row').filter({ hasText: name });
    assert.equal(await row('You').locator('.role-badge').textContent(), 'Admin');
    await screenshot(page, '04-group-info');

    await row('Bob').getByRole('button', { name: 'Manage Bob' }).click();
    await page.getByRole('menuitem', { name: 'Make group admin' }).click();
    await row('Bob').locator('.role-badge').waitFor();
    await bob.page.locator('.system-message', { hasText: 'Alice made you an admin' }).waitFor();

    await row('Carol').getByRole('button', { name: 'Manage Carol' }).click();
    await page.getByRole('menuitem', { name: 'Remove from group' }).click();
    await panel.getByText('2 members', { exact: true }).waitFor();
    await page.locator('.system-message', { hasText: 'You removed Carol' }).waitFor();
  });

  it('stops showing new messages to the removed member', async () => {
    await carol.page.getByRole('note').filter({ hasText: 'You can no longer send messages to this group.' }).waitFor();
    await sendMessage(alice.page, 'Carol cannot see this');
    await bubble(bob.page, 'Carol cannot see this').waitFor();
    await sendMessage(bob.page, 'Nor this');
    await bubble(alice.page, 'Nor this').waitFor();
    await carol.page.waitForTimeout(500);
    assert.equal(await bubble(carol.page, 'Carol cannot see this').count(), 0);
    assert.equal(await bubble(carol.page, 'Nor this').count(), 0);
    // Her history up to the removal stays.
    await bubble(carol.page, 'Who is in for Saturday?').waitFor();
    // Bob's two ticks now only wait for Alice.
    await waitForTick(bob.page, 'Nor this', 'read');
  });
});
