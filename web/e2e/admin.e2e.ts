/**
 * The operator pages in a real browser: an admin (the first user) reaches
 * /admin from the chat list and sees live charts, the node and the largest
 * outboxes fed over the WebSocket while another user sends; a non-admin gets
 * no link and a refusal; the capacity planner shows the system design's
 * figures and follows its sliders and presets. Screenshots in test-results/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WsClient } from '../../src/testing/ws.js';
import {
  apiUser,
  type BrowserUser,
  openApp,
  screenshot,
  startTestServer,
  type TestServer,
  type TestUser,
} from './harness.js';

describe('admin dashboard and capacity planner', () => {
  let server: TestServer;
  let users: { root: TestUser; bob: TestUser; carol: TestUser };
  let browser: BrowserUser | undefined;
  let sender: WsClient | undefined;
  let traffic: NodeJS.Timeout | undefined;

  before(async () => {
    server = await startTestServer({ CHAT_ADMIN_STATS_INTERVAL_MS: '250', CHAT_OUTBOX_SCAN_SECONDS: '1' });
    users = {
      root: await apiUser(server, 'Root'),
      bob: await apiUser(server, 'Bob'),
      carol: await apiUser(server, 'Carol'),
    };
    // Carol stays offline: what Bob sends her waits in her outbox.
    const withCarol = await server.api.direct(users.bob, users.carol);
    for (let i = 0; i < 4; i++) await server.api.send(users.bob, withCarol, `for carol ${i}`);
  });

  after(async () => {
    clearInterval(traffic);
    await sender?.close();
    await browser?.close();
    await server?.close();
  });

  it('refuses the dashboard to a user without the admin flag', async () => {
    const bob = await openApp(server, { token: users.bob.token });
    try {
      await bob.page.waitForTimeout(500);
      assert.equal(await bob.page.getByRole('link', { name: 'Admin' }).count(), 0);
      await bob.page.goto(`${server.url}/admin`);
      await bob.page.getByText('This page is for admins').waitFor();
    } finally {
      await bob.close();
    }
  });

  it('shows the admin live charts, the node and the largest outboxes', async () => {
    browser = await openApp(server, { token: users.root.token });
    const { page } = browser;
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('heading', { name: 'Operations' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/admin');

    // Steady traffic from Bob to Root over a WebSocket while the dashboard watches.
    const withRoot = await server.api.direct(users.bob, users.root);
    sender = await WsClient.ready(server.url, users.bob.token);
    let n = 0;
    traffic = setInterval(() => {
      n += 1;
      sender?.send({ type: 'message:send', conversationId: withRoot, clientMsgId: `t-${n}`, content: `tick ${n}` });
    }, 40);

    await page.locator('.admin-status[data-status="live"]').waitFor();
    assert.equal(await page.locator('.admin-chart-plot canvas').count(), 4);
    await page.waitForFunction(
      () =>
        /· [1-9]\d* connections · [1-9][\d.]* msg\/s/.test(document.querySelector('.admin-status')?.textContent ?? ''),
      undefined,
      { timeout: 15_000 },
    );
    const node = page.locator('section[aria-labelledby="admin-nodes"] tbody tr');
    assert.equal(await node.count(), 1);
    assert.match((await node.first().textContent()) ?? '', /ok/);
    const carol = page.locator('section[aria-labelledby="admin-outboxes"] tbody tr', {
      hasText: users.carol.user.username,
    });
    await carol.waitFor();
    assert.match((await carol.textContent()) ?? '', /4$/);
    // Let the charts fill a few seconds of history before the picture.
    await page.waitForTimeout(3000);
    await screenshot(page, 'admin-dashboard');
    clearInterval(traffic);
  });

  it('plans capacity from the presets and the sliders', async () => {
    assert.ok(browser);
    const { page } = browser;
    await page.getByRole('link', { name: 'Capacity' }).click();
    await page.getByRole('heading', { name: 'Capacity planner' }).waitFor();
    const results = page.getByRole('table', { name: 'Results' });
    const value = (label: string) =>
      results
        .getByRole('row', { name: label, exact: false })
        .filter({ has: page.getByRole('rowheader', { name: label, exact: true }) })
        .locator('td')
        .textContent();
    assert.equal(await value('Messages/sec (average)'), '231.5K/s');
    assert.equal(await value('Messages/day'), '20.0B');
    assert.equal(await value('Total storage/year'), '730.7 PB');
    assert.equal(await value('Total storage (5 yr)'), '3653.7 PB');
    assert.equal(await value('Concurrent connections'), '350.0M');
    assert.match((await value('Gateway nodes')) ?? '', /^[\d,]+ \(throughput/);
    await page.locator('.capacity .admin-chart-plot canvas').waitFor();

    // Daily active users to 10^5 = 100K on the log slider.
    await page.getByRole('slider', { name: 'Daily active users' }).fill('5');
    assert.equal(await value('Messages/day'), '4.0M');
    assert.equal(await value('Concurrent connections'), '70.0K');

    await page.getByRole('button', { name: 'Company intranet (5K users)' }).click();
    assert.equal(await value('Concurrent connections'), '2.8K');
    assert.equal(await value('Total storage (7 yr)'), '30.8 TB');
    await page.getByRole('button', { name: 'WhatsApp scale' }).click();
    await screenshot(page, 'admin-capacity');
  });
});
