/**
 * Media attachments: Alice attaches a PNG with a caption (a pending bubble with
 * a progress bar while it uploads), Bob sees the thumbnail and opens the viewer
 * (Escape closes it); a PDF shows as a file with a download button; a file of a
 * refused type shows a clear error.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FileChooser, Page } from 'playwright-core';
import sharp from 'sharp';
import {
  apiUser,
  type BrowserUser,
  chatLink,
  openApp,
  openChat,
  screenshot,
  startTestServer,
  type TestServer,
  type TestUser,
} from './harness.js';

/** A 480×320 PNG: a sky gradient over a green hill, made in the test. */
async function makePng(): Promise<Buffer> {
  const width = 480;
  const height = 320;
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const i = (y * width + x) * 3;
      const hill = y > height * 0.65 + 30 * Math.sin(x / 60);
      pixels[i] = hill ? 60 : 90 + Math.round((y / height) * 80);
      pixels[i + 1] = hill ? 150 : 160 + Math.round((y / height) * 60);
      pixels[i + 2] = hill ? 70 : 235;
    }
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n',
);

describe('media attachments', () => {
  let server: TestServer;
  let alice: BrowserUser;
  let bob: BrowserUser;
  let users: { alice: TestUser; bob: TestUser };

  before(async () => {
    server = await startTestServer();
    users = { alice: await apiUser(server, 'Alice'), bob: await apiUser(server, 'Bob') };
    const id = await server.api.direct(users.alice, users.bob);
    await server.api.send(users.bob, id, 'Send me the photo from the summit!');
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

  it('uploads a PNG with a caption, showing a pending bubble with progress', async () => {
    const { page } = alice;
    // Hold the upload's answer a moment so the pending bubble can be seen.
    await page.route('**/api/v1/media', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 800));
      await route.continue();
    });
    await page.getByLabel('Type a message').fill('Summit view');
    await page
      .getByTestId('attach-input')
      .setInputFiles({ name: 'summit.png', mimeType: 'image/png', buffer: await makePng() });
    const pending = page.locator('.upload-row').filter({ hasText: 'summit.png' });
    await pending.getByRole('progressbar', { name: 'Uploading summit.png' }).waitFor();
    await pending.waitFor({ state: 'detached' });
    await page.unroute('**/api/v1/media');
    assert.equal(await page.getByLabel('Type a message').inputValue(), '');
    // Own bubble: the thumbnail, then the caption.
    await page.locator('.message-row.own .media-thumb img').waitFor();
  });

  it('shows Bob the thumbnail, sized, and opens the viewer (Escape closes it)', async () => {
    const { page } = bob;
    const row = page.locator('.message-row.other').filter({ hasText: 'Summit view' });
    const img = row.locator('.media-thumb img');
    await img.waitFor();
    await page.waitForFunction(() => {
      const el = document.querySelector<HTMLImageElement>('.message-row.other .media-thumb img');
      return Boolean(el?.complete && el.naturalWidth > 0);
    });
    assert.match((await img.getAttribute('src')) ?? '', /^blob:/);
    const box = await row.locator('.media-thumb').boundingBox();
    assert.ok(box && Math.abs(box.width / box.height - 1.5) < 0.05, `thumbnail keeps 3:2, got ${JSON.stringify(box)}`);
    await chatLink(page, 'Alice').getByText('📷 Summit view').waitFor();

    await row.getByRole('button', { name: 'Open photo' }).click();
    const viewer = page.getByRole('dialog', { name: /Photo/ });
    await viewer.waitFor();
    await page.waitForFunction(() => {
      const el = document.querySelector<HTMLImageElement>('.media-viewer img');
      return Boolean(el?.complete && el.naturalWidth === 480);
    });
    await screenshot(page, '11-media-viewer');
    await page.keyboard.press('Escape');
    await viewer.waitFor({ state: 'detached' });
    // Escape closed the viewer only: the chat stays open.
    await page.locator('.chat-title', { hasText: 'Alice' }).waitFor();
  });

  it('sends a PDF picked from the keyboard; Bob sees the file and downloads it', async () => {
    const { page } = alice;
    const attach = page.getByRole('button', { name: 'Attach a file' });
    await page.getByLabel('Type a message').focus();
    await page.keyboard.press('Shift+Tab');
    assert.equal(await attach.evaluate((el) => el === document.activeElement), true);
    const chooser = await openChooserWithEnter(page);
    await chooser.setFiles({ name: 'minutes.pdf', mimeType: 'application/pdf', buffer: PDF });

    const file = bob.page.locator('.message-row.other .media-file').filter({ hasText: 'minutes.pdf' });
    await file.waitFor();
    await file.getByText(/\d+ B · application\/pdf/).waitFor();
    await chatLink(bob.page, 'Alice').getByText('📄 minutes.pdf').waitFor();
    const [download] = await Promise.all([
      bob.page.waitForEvent('download'),
      file.getByRole('button', { name: 'Download minutes.pdf' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'minutes.pdf');
  });

  it('says clearly when a type of file is refused', async () => {
    const { page } = alice;
    await page
      .getByTestId('attach-input')
      .setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('just some words\n') });
    const failed = page.locator('.upload-row').filter({ hasText: 'notes.txt' });
    await failed.getByRole('alert').filter({ hasText: 'This type of file cannot be sent.' }).waitFor();
    await screenshot(page, '11-media-upload-error');
    await failed.getByRole('button', { name: 'Dismiss notes.txt' }).click();
    await failed.waitFor({ state: 'detached' });
    await bob.page.locator('.bubble').last().scrollIntoViewIfNeeded();
    await screenshot(bob.page, '11-media');
  });
});

/**
 * Enter on the focused attach button opens the file chooser. Headless Chromium
 * now and then drops the chooser a synthetic key press opened (seen in some
 * full runs, under load): the key is pressed again, at most three times, and
 * the chooser must still come from the keyboard.
 */
async function openChooserWithEnter(page: Page): Promise<FileChooser> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      const [chooser] = await Promise.all([
        page.waitForEvent('filechooser', { timeout: 5000 }),
        page.keyboard.press('Enter'),
      ]);
      return chooser;
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
}
