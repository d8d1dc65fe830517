/**
 * Gives a message a stored link preview with an image, without fetching
 * anything: for suites that need a preview to exist (the authorization
 * matrix). The bytes go where the node's file blob store keeps them.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { FsBlobStore } from '../media/fs-blob-store.js';
import { previewBlobKey } from '../previews/images.js';
import type { TestServer } from './server.js';

export async function attachTestPreview(server: TestServer, messageId: string, conversationId: string): Promise<void> {
  const bytes = await sharp({ create: { width: 8, height: 6, channels: 3, background: '#3a7' } })
    .webp()
    .toBuffer();
  const dir = await mkdtemp(join(tmpdir(), 'chat-preview-fixture-'));
  try {
    const path = join(dir, 'image.webp');
    await writeFile(path, bytes);
    const key = previewBlobKey(bytes);
    await new FsBlobStore(join(server.dataDir, 'media', 'blobs')).put(key, path, 'image/webp');
    await server.node.storage.previews.attach({
      messageId,
      conversationId,
      preview: {
        url: 'https://example.com/',
        host: 'example.com',
        title: 'Example',
        description: null,
        image: { key, mimeType: 'image/webp', size: bytes.length, width: 8, height: 6 },
      },
      createdAt: new Date().toISOString(),
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
