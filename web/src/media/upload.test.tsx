/** @vitest-environment jsdom */
import { act, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Composer } from '../components/Composer.js';
import { conversation, summary, user } from '../test-fixtures.js';
import { renderWithSession } from '../test-render.js';
import { UploadBubbles } from './UploadBubbles.js';
import { uploads } from './uploads.js';

/** Just enough XMLHttpRequest to drive an upload from the test. */
class FakeXhr {
  static last: FakeXhr | null = null;
  method = '';
  url = '';
  headers: Record<string, string> = {};
  body: unknown = null;
  status = 0;
  response: unknown = null;
  responseType = '';
  upload: { onprogress: ((e: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = {
    onprogress: null,
  };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  send(body: unknown) {
    this.body = body;
    FakeXhr.last = this;
  }
  abort() {
    this.onabort?.();
  }
  answer(status: number, response: unknown) {
    this.status = status;
    this.response = response;
    this.onload?.();
  }
}

const alice = user('Alice');
const c = conversation({ memberIds: [alice.id, 'u-Bob'] });

afterEach(() => {
  for (const item of uploads.snapshot()) uploads.remove(item.key);
});

function setup() {
  vi.stubGlobal('XMLHttpRequest', FakeXhr);
  const result = renderWithSession(
    <>
      <Composer conversationId={c.id} intent={null} onIntentDone={() => {}} />
      <UploadBubbles conversationId={c.id} />
    </>,
    { me: alice, conversations: [summary(c)] },
  );
  const sendMedia = vi.spyOn(result.session, 'sendMedia').mockImplementation(() => {});
  return { ...result, sendMedia };
}

function lastXhr(): FakeXhr {
  if (!FakeXhr.last) throw new Error('no upload started');
  return FakeXhr.last;
}

function pick(name: string, type: string) {
  const input = screen.getByTestId('attach-input');
  fireEvent.change(input, { target: { files: [new File(['x'.repeat(100)], name, { type })] } });
}

describe('attachments in the composer', () => {
  it('uploads with the token, shows progress, then sends the media with the caption', async () => {
    const { sendMedia } = setup();
    const button = screen.getByRole('button', { name: 'Attach a file' });
    expect(button.tabIndex).not.toBe(-1);
    fireEvent.change(screen.getByLabelText('Type a message'), { target: { value: ' At the top ' } });
    pick('summit.png', 'image/png');
    const xhr = lastXhr();
    expect(xhr.method).toBe('POST');
    expect(xhr.url).toBe('http://chat.test/api/v1/media');
    expect(xhr.headers.Authorization).toBe('Bearer test-token');
    expect((xhr.body as FormData).get('file')).toBeInstanceOf(File);
    act(() => xhr.upload.onprogress?.({ lengthComputable: true, loaded: 40, total: 100 }));
    expect(screen.getByRole('progressbar', { name: 'Uploading summit.png' }).getAttribute('value')).toBe('40');
    await act(async () => xhr.answer(201, { media: { id: 'md-1', mimeType: 'image/png' } }));
    expect(sendMedia).toHaveBeenCalledWith(c.id, 'md-1', 'image', 'At the top', null);
    expect(screen.queryByRole('progressbar')).toBeNull();
  });

  it('shows 413 and 415 clearly', async () => {
    const { sendMedia } = setup();
    pick('huge.mov', 'video/quicktime');
    await act(async () => lastXhr().answer(413, { error: { code: 'payload_too_large', message: 'too large' } }));
    pick('notes.txt', 'text/plain');
    await act(async () => lastXhr().answer(415, { error: { code: 'unsupported_media_type', message: 'no' } }));
    const alerts = screen.getAllByRole('alert').map((a) => a.textContent);
    expect(alerts).toEqual(['This file is too large to send.', 'This type of file cannot be sent.']);
    expect(sendMedia).not.toHaveBeenCalled();
  });
});
