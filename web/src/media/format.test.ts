import { describe, expect, it } from 'vitest';
import type { Media } from '../../../sdk/index.js';
import { messagePreview } from '../lib/names.js';
import { conversation, message, user } from '../test-fixtures.js';
import { formatSize, mediaLabel, messageTypeFor, uploadErrorText } from './format.js';
import { thumbnailBox } from './MessageMedia.js';

const users = { 'u-Alice': user('Alice'), 'u-Bob': user('Bob Marley') };

function media(overrides: Partial<Media> = {}): Media {
  return {
    id: 'md-1',
    url: '/api/v1/media/md-1',
    mimeType: 'image/png',
    size: 2048,
    width: 640,
    height: 480,
    thumbnailUrl: '/api/v1/media/md-1/thumbnail',
    fileName: 'photo.png',
    durationMs: null,
    ...overrides,
  };
}

describe('formatSize', () => {
  it('uses B, KB, MB and GB', () => {
    expect(formatSize(0)).toBe('0 B');
    expect(formatSize(1023)).toBe('1023 B');
    expect(formatSize(1024)).toBe('1 KB');
    expect(formatSize(1536)).toBe('2 KB');
    expect(formatSize(1024 * 1024 - 1)).toBe('1024 KB');
    expect(formatSize(1024 * 1024)).toBe('1.0 MB');
    expect(formatSize(3.45 * 1024 * 1024)).toBe('3.5 MB');
    expect(formatSize(2 * 1024 ** 3)).toBe('2.0 GB');
  });

  it('says nothing for nonsense', () => {
    expect(formatSize(-1)).toBe('');
    expect(formatSize(Number.NaN)).toBe('');
  });
});

describe('media previews in the chat list', () => {
  const c = conversation();

  it('says Photo, Video or the file name without a caption', () => {
    const photo = message(c.id, 1, { type: 'image', content: '', media: media() });
    const video = message(c.id, 2, { type: 'video', content: '', media: media({ mimeType: 'video/mp4' }) });
    const file = message(c.id, 3, {
      type: 'file',
      content: '',
      media: media({ mimeType: 'application/pdf', fileName: 'report.pdf', thumbnailUrl: null }),
    });
    expect(messagePreview(photo, users, 'u-Alice', false)).toEqual({ prefix: '', text: '📷 Photo' });
    expect(messagePreview(video, users, 'u-Alice', false).text).toBe('🎥 Video');
    expect(messagePreview(file, users, 'u-Alice', false).text).toBe('📄 report.pdf');
    expect(messagePreview(file, users, 'u-Alice', true)).toEqual({ prefix: 'Bob Marley: ', text: '📄 report.pdf' });
  });

  it('shows the caption when there is one', () => {
    const photo = message(c.id, 1, { type: 'image', content: '  At  the top ', media: media() });
    const file = message(c.id, 2, { type: 'file', content: 'Minutes', media: media({ fileName: 'm.pdf' }) });
    expect(messagePreview(photo, users, 'u-Alice', false).text).toBe('📷 At the top');
    expect(messagePreview(file, users, 'u-Alice', false).text).toBe('Minutes');
  });

  it('falls back to "File" for a file without a name, and leaves text alone', () => {
    expect(mediaLabel('file', null)).toBe('📄 File');
    expect(mediaLabel('file', '  ')).toBe('📄 File');
    expect(mediaLabel('text')).toBeNull();
    const deleted = message(c.id, 4, { type: 'image', content: '', media: null, deletedAt: 'x' });
    expect(messagePreview(deleted, users, 'u-Alice', false).text).toBe('This message was deleted');
  });
});

describe('upload helpers', () => {
  it('picks the message type from the recognised type', () => {
    expect(messageTypeFor('image/png')).toBe('image');
    expect(messageTypeFor('image/svg+xml')).toBe('file');
    expect(messageTypeFor('video/mp4')).toBe('video');
    expect(messageTypeFor('application/pdf')).toBe('file');
  });

  it('words upload errors clearly', () => {
    expect(uploadErrorText(413, 'file too large')).toBe('This file is too large to send.');
    expect(uploadErrorText(413, 'storage quota of 100 bytes is used up')).toMatch(/quota is used up/);
    expect(uploadErrorText(415, 'not accepted')).toBe('This type of file cannot be sent.');
    expect(uploadErrorText(0, undefined)).toMatch(/could not be reached/);
    expect(uploadErrorText(500, 'boom')).toBe('Upload failed: boom');
  });

  it('fits thumbnails in the bubble, keeping the aspect ratio', () => {
    expect(thumbnailBox(640, 480)).toEqual({ width: 300, height: 225 });
    expect(thumbnailBox(100, 50)).toEqual({ width: 100, height: 60 });
    expect(thumbnailBox(1000, 4000)).toEqual({ width: 80, height: 320 });
    expect(thumbnailBox(null, null)).toEqual({ width: 240, height: 180 });
  });
});
