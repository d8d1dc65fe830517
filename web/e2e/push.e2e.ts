/**
 * Web push in Chromium: the settings toggle asks for permission, registers the
 * service worker and sends the subscription to the server; a message to the
 * user while the chat is closed reaches the (local) push service encrypted;
 * delivered to the service worker, it shows the notification. Only the
 * browser's own registration with its vendor's push service is replaced (this
 * machine cannot reach it): PushManager.subscribe answers a subscription whose
 * endpoint is the local push service.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { PushPayload, WebPushSubscription } from '../../src/protocol/push.js';
import { LocalPushService } from '../../src/push/testing/push-service.js';
import { waitFor } from '../../src/testing/ws.js';
import {
  apiUser,
  type BrowserUser,
  openApp,
  screenshot,
  startTestServer,
  type TestServer,
  type TestUser,
  tempDir,
} from './harness.js';

/**
 * Stands in for the browser vendor's push registration (installed before the
 * app loads). A string, not a function: the test runner's transform would add
 * helpers the page does not have.
 */
function fakeVendorRegistration(subscription: WebPushSubscription): string {
  // The browser keeps a subscription across pages: so does the stand-in (in localStorage).
  return `(() => {
    const subscription = ${JSON.stringify(subscription)};
    const KEY = 'e2e.fakePushSubscribed';
    const current = () => ({
      endpoint: subscription.endpoint,
      expirationTime: null,
      options: { userVisibleOnly: true },
      toJSON: () => subscription,
      unsubscribe: async () => { localStorage.removeItem(KEY); return true; },
    });
    PushManager.prototype.subscribe = async () => { localStorage.setItem(KEY, '1'); return current(); };
    PushManager.prototype.getSubscription = async () => (localStorage.getItem(KEY) ? current() : null);
  })();`;
}

describe('web push notifications', () => {
  let dir: string;
  let service: LocalPushService;
  let server: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  let browser: BrowserUser;
  let conversationId: string;

  before(async () => {
    dir = await tempDir('chat-e2e-push-');
    service = await LocalPushService.start(dir);
    server = await startTestServer({
      CHAT_PUSH_GRACE_MS: '300',
      CHAT_PUSH_COALESCE_MS: '300',
      CHAT_PUSH_CA_FILE: service.caFile,
      CHAT_WEB_PUSH_HOSTS: '127.0.0.1',
    });
    alice = await apiUser(server, 'Alice');
    bob = await apiUser(server, 'Bob');
    conversationId = await server.api.direct(alice, bob);
    const subscription = service.browserSubscription(bob);
    browser = await openApp(server, {
      token: bob.token,
      before: async (context) => {
        await context.grantPermissions(['notifications'], { origin: server.url });
        await context.addInitScript({ content: fakeVendorRegistration(subscription) });
      },
    });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await service?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const devices = async () => (await server.api.request('GET', '/api/v1/devices', { token: bob.token })).body.devices;

  it('turns notifications on from the settings: service worker registered, subscription sent to the server', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    // A click, not check(): the box turns on only once the browser and the server said yes.
    await page.getByLabel('Notifications on this device').click();
    await page.getByText('This device gets a notification').waitFor();
    assert.equal(await page.getByLabel('Notifications on this device').isChecked(), true);
    await screenshot(page, 'push-01-settings');
    const [device] = await devices();
    assert.equal(device?.platform, 'web');
    const script = await page.evaluate(
      async () => (await navigator.serviceWorker.getRegistration('/'))?.active?.scriptURL,
    );
    assert.equal(script, `${server.url}/sw.js`);
  });

  it('pushes a message sent while the chat is closed, and the service worker shows it', async () => {
    const { context } = browser;
    await browser.page.close();
    await server.api.send(alice, conversationId, 'Climbing on Saturday?');
    const [payload] = await waitFor(
      'the push to reach the push service',
      () => (service.received(bob).length > 0 ? service.received(bob) : undefined),
      8000,
    );
    assert.equal(payload?.body, 'Climbing on Saturday?');

    // The push service delivers it to the browser, which wakes the service worker.
    const page = await context.newPage();
    browser.page = page;
    await page.goto(`${server.url}/`);
    const cdp = await context.newCDPSession(page);
    const registration = new Promise<string>((resolve) =>
      cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
        const found = registrations.find((r: { scopeURL: string }) => r.scopeURL === `${server.url}/`);
        if (found) resolve(found.registrationId);
      }),
    );
    // Delivered only to a running worker: one pushed while it still starts can be lost in headless Chromium.
    const running = new Promise<void>((resolve) =>
      cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
        if (
          versions.some(
            (v: { runningStatus: string; status: string }) => v.runningStatus === 'running' && v.status === 'activated',
          )
        )
          resolve();
      }),
    );
    await cdp.send('ServiceWorker.enable');
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await running;
    const registrationId = await registration;
    const notifications = () =>
      page.evaluate(async () => {
        const reg = await navigator.serviceWorker.getRegistration('/');
        return (await reg?.getNotifications())?.map((n) => ({ title: n.title, body: n.body, tag: n.tag })) ?? [];
      });
    // A push handed over through the DevTools protocol is now and then dropped by a busy headless
    // Chromium: handed over again (the tag makes a repeat replace, not add), at most three times.
    let shown: Awaited<ReturnType<typeof notifications>> = [];
    for (let attempt = 0; attempt < 3 && shown.length === 0; attempt++) {
      await cdp.send('ServiceWorker.deliverPushMessage', {
        origin: server.url,
        registrationId,
        data: JSON.stringify(payload),
      });
      shown = await waitFor(
        'the notification',
        async () => {
          const list = await notifications();
          return list.length > 0 ? list : undefined;
        },
        5_000,
      ).catch(() => []);
    }
    assert.deepEqual(shown, [
      { title: 'Alice', body: 'Climbing on Saturday?', tag: `conversation:${(payload as PushPayload).conversationId}` },
    ]);
  });

  it('hides previews and turns notifications off from the settings', async () => {
    const { page } = browser;
    await page.getByRole('heading', { name: 'Chats' }).waitFor();
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await page.getByText('This device gets a notification').waitFor();
    await page.getByLabel('Hide message previews').click();
    await waitFor('hidePreviews on the server', async () => {
      const res = await server.api.request('GET', '/api/v1/users/me/notifications', { token: bob.token });
      return res.body.settings.hidePreviews === true ? true : undefined;
    });
    await page.getByLabel('Notifications on this device').click();
    await page.getByText('Get a notification when a message arrives').waitFor();
    await waitFor('the device to be deleted', async () => ((await devices()).length === 0 ? true : undefined));
  });
});
