/**
 * Browser-test harness: a real chat server (serving the built client) and one
 * headless Debian Chromium per simulated user, each with a fresh profile.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Locator, type Page, type WebSocketRoute } from 'playwright-core';
import { startTestServer, type TestServer, type TestUser, tempDir } from '../../src/testing/server.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const RESULTS_DIR = fileURLToPath(new URL('../../test-results/', import.meta.url));
export const PASSWORD = 'correct horse battery';

export { startTestServer, type TestServer, type TestUser, tempDir };

export interface BrowserUser {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Signs in with this token (an API-registered user) instead of the sign-in screen. */
  token?: string;
  viewport?: { width: number; height: number };
  /** Installed before the first page load (e.g. a WebSocket switch). */
  before?(context: BrowserContext): Promise<void>;
}

/** A fresh Chromium profile on the app's start page. */
export async function openApp(server: TestServer, options: OpenOptions = {}): Promise<BrowserUser> {
  const dir = await mkdtemp(join(tmpdir(), 'chat-e2e-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: options.viewport ?? { width: 1280, height: 800 },
    deviceScaleFactor: 1,
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  context.setDefaultTimeout(15_000);
  if (options.token) {
    await context.addInitScript((token) => {
      if (!sessionStorage.getItem('e2e-token-set')) {
        localStorage.setItem('chat.token', token);
        sessionStorage.setItem('e2e-token-set', '1');
      }
    }, options.token);
  }
  await options.before?.(context);
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (error) => console.error(`[page error] ${error.message}`));
  await page.goto(server.url);
  if (options.token) await page.getByRole('heading', { name: 'Chats' }).waitFor();
  return {
    context,
    page,
    async close() {
      await context.close().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

let counter = 0;
/** A username unique to this run. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}_${process.pid % 10_000}_${counter}`.toLowerCase().replace(/[^a-z0-9_.]/g, '_');
}

/** Registers through the sign-in screen. */
export async function registerViaUi(page: Page, username: string, displayName: string): Promise<void> {
  await page.getByRole('button', { name: 'Create an account' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Display name').fill(displayName);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Chats' }).waitFor();
}

/** Registers over the API (faster), with a display name. */
export async function apiUser(server: TestServer, displayName: string): Promise<TestUser> {
  const username = uniqueName(displayName);
  const res = await server.api.request('POST', '/api/v1/auth/register', {
    body: { username, password: PASSWORD, displayName },
  });
  if (res.status !== 201) throw new Error(`register ${username}: ${res.status}`);
  return res.body as TestUser;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(RESULTS_DIR, { recursive: true });
  await page.screenshot({ path: join(RESULTS_DIR, `${name}.png`) });
}

/** The chat list entry of a conversation, by its title. */
export function chatLink(page: Page, title: string): Locator {
  return page.locator('a.conversation').filter({ has: page.locator('.conversation-title', { hasText: title }) });
}

/** Message rows (own or others') containing a text. */
export function bubble(page: Page, text: string): Locator {
  return page.locator('.message-row').filter({ has: page.locator('.bubble-text', { hasText: text }) });
}

export async function openChat(page: Page, title: string): Promise<void> {
  await chatLink(page, title).click();
  await page.locator('.chat-title', { hasText: title }).waitFor();
}

export async function sendMessage(page: Page, text: string): Promise<void> {
  const input = page.getByLabel('Type a message');
  await input.fill(text);
  await input.press('Enter');
}

/** The ticks state of the (single) own bubble with this text. */
export function tickOf(page: Page, text: string): Locator {
  return bubble(page, text).locator('[data-tick]');
}

export async function waitForTick(page: Page, text: string, state: string): Promise<void> {
  await page.waitForFunction(
    ({ text, state }) =>
      [...document.querySelectorAll('.message-row')].some(
        (row) => row.textContent?.includes(text) && row.querySelector(`[data-tick="${state}"]`),
      ),
    { text, state },
    { timeout: 15_000 },
  );
}

/** Texts of the chat's bubbles, in order. */
export async function bubbleTexts(page: Page): Promise<string[]> {
  return page.locator('.message-row .bubble-text').evaluateAll((nodes) =>
    nodes.map((n) => {
      const clone = n.cloneNode(true) as HTMLElement;
      clone.querySelector('.bubble-meta')?.remove();
      return clone.textContent?.trim() ?? '';
    }),
  );
}

/**
 * Cuts a browser's WebSockets on demand. Chromium's offline emulation blocks new
 * connections but leaves an open WebSocket alone, so the switch also closes the
 * live ones and refuses new ones while off.
 */
export class SocketSwitch {
  private offline = false;
  private readonly live = new Set<WebSocketRoute>();

  async install(context: BrowserContext): Promise<void> {
    await context.routeWebSocket(/\/api\/v1\/ws/, (ws) => {
      if (this.offline) {
        void ws.close({ code: 1011, reason: 'offline' });
        return;
      }
      const server = ws.connectToServer();
      this.live.add(ws);
      ws.onClose(() => {
        this.live.delete(ws);
        void server.close();
      });
      server.onClose(() => {
        this.live.delete(ws);
        void ws.close();
      });
    });
  }

  async goOffline(context: BrowserContext): Promise<void> {
    this.offline = true;
    await context.setOffline(true);
    for (const ws of [...this.live]) await ws.close({ code: 4000, reason: 'network lost' });
    this.live.clear();
  }

  async goOnline(context: BrowserContext): Promise<void> {
    this.offline = false;
    await context.setOffline(false);
  }
}
