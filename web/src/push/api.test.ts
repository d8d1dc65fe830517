import { afterEach, describe, expect, it, vi } from 'vitest';
import { applicationServerKey, pushApi } from './api.js';

describe('applicationServerKey', () => {
  it('decodes an unpadded base64url VAPID key to its 65 bytes', () => {
    const bytes = Uint8Array.from({ length: 65 }, (_, i) => (i * 37 + 4) % 256);
    bytes[0] = 4;
    const base64url = Buffer.from(bytes).toString('base64url');
    expect(base64url).toMatch(/^[A-Za-z0-9_-]{87}$/);
    expect([...applicationServerKey(base64url)]).toEqual([...bytes]);
  });
});

describe('pushApi.register', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('sends the subscription as a web device with the bearer token', async () => {
    const fetchMock = vi.fn(
      async () =>
        new Response(JSON.stringify({ device: { id: 'd1', platform: 'web', createdAt: 'x' } }), {
          status: 201,
          headers: { 'content-type': 'application/json' },
        }),
    );
    vi.stubGlobal('fetch', fetchMock);
    const subscription = { endpoint: 'https://push.example/1', keys: { p256dh: 'p', auth: 'a' } };
    const { device } = await pushApi.register('http://chat.test', 'tok', subscription);
    expect(device.id).toBe('d1');
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('http://chat.test/api/v1/devices');
    expect(init.method).toBe('POST');
    expect((init.headers as Record<string, string>).Authorization).toBe('Bearer tok');
    expect(JSON.parse(String(init.body))).toEqual({
      platform: 'web',
      subscription: { ...subscription, expirationTime: null },
    });
  });

  it("turns the server's error body into the error message", async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(
        async () =>
          new Response(JSON.stringify({ error: { code: 'invalid_request', message: 'bad subscription' } }), {
            status: 400,
          }),
      ),
    );
    await expect(pushApi.register('http://chat.test', 'tok', { endpoint: 'x' })).rejects.toThrow('bad subscription');
  });
});
