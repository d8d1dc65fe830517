/** Web Push against a local HTTPS push service: VAPID JWT, aes128gcm payload, the service's answers. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { importJWK, jwtVerify } from 'jose';
import type { PushPayload } from '../../protocol/push.js';
import type { PushDeviceRecord } from '../store/store.js';
import { type StandIn, startStandIn } from '../testing/stand-in.js';
import { browserKeys, decryptAes128gcm } from '../testing/web-push-crypto.js';
import { generateVapidKeys, topicOf, WebPushProvider } from './web-push.js';

const payload: PushPayload = {
  title: 'Alice',
  body: 'Alice: 3 new messages',
  conversationId: 'conv-1',
  messageId: 'msg-3',
  count: 3,
  badge: 5,
  sound: 'default',
};

describe('Web Push provider', () => {
  let service: StandIn;
  let provider: WebPushProvider;
  const vapid = { subject: 'mailto:ops@example.com', ...generateVapidKeys() };
  const keys = browserKeys();
  let device: PushDeviceRecord;

  before(async () => {
    service = await startStandIn('https');
    provider = new WebPushProvider({ vapid, ca: service.ca });
    const subscription = keys.subscription(`${service.url}/push/sub-123`);
    device = {
      id: 'd1',
      userId: 'u1',
      platform: 'web',
      token: subscription.endpoint,
      subscription,
      createdAt: new Date().toISOString(),
    };
  });
  after(async () => {
    await provider.close();
    await service.close();
  });

  it('posts the encrypted payload to the endpoint with a VAPID token the service can verify', async () => {
    service.respond = () => ({ status: 201 });
    assert.deepEqual(await provider.send(device, payload), { status: 'sent' });
    const request = service.requests.at(-1);
    assert.ok(request);
    assert.equal(request.method, 'POST');
    assert.equal(request.path, '/push/sub-123');
    assert.equal(request.headers['content-encoding'], 'aes128gcm');
    assert.equal(request.headers.urgency, 'high');
    assert.equal(request.headers.topic, topicOf('conv-1'));
    assert.ok(Number(request.headers.ttl) > 0);

    const authorization = String(request.headers.authorization);
    const match = /^vapid t=([^,]+), k=([A-Za-z0-9_-]+)$/.exec(authorization);
    assert.ok(match, authorization);
    const [, jwt = '', k = ''] = match;
    assert.equal(k, vapid.publicKey);
    const point = Buffer.from(k, 'base64url');
    const publicKey = await importJWK(
      {
        kty: 'EC',
        crv: 'P-256',
        x: point.subarray(1, 33).toString('base64url'),
        y: point.subarray(33, 65).toString('base64url'),
      },
      'ES256',
    );
    const { payload: claims, protectedHeader } = await jwtVerify(jwt, publicKey, { audience: service.url });
    assert.equal(protectedHeader.alg, 'ES256');
    assert.equal(claims.sub, vapid.subject);
    const now = Date.now() / 1000;
    assert.ok(typeof claims.exp === 'number' && claims.exp > now && claims.exp <= now + 24 * 3600);

    assert.deepEqual(JSON.parse(decryptAes128gcm(request.body, keys).toString('utf8')), payload);
  });

  it('refuses to pass as the push service: a wrong auth secret does not decrypt', async () => {
    const request = service.requests.at(-1);
    assert.ok(request);
    const other = browserKeys();
    assert.throws(() => decryptAes128gcm(request.body, { ...keys, auth: other.auth }));
  });

  it('reports 404 and 410 as a dead subscription', async () => {
    service.respond = () => ({ status: 410, body: 'push subscription has unsubscribed or expired.' });
    assert.deepEqual(await provider.send(device, payload), { status: 'gone', reason: 'web_410' });
    service.respond = () => ({ status: 404 });
    assert.deepEqual(await provider.send(device, payload), { status: 'gone', reason: 'web_404' });
  });

  it('backs off on 429 for the Retry-After the service gave, and retries 5xx', async () => {
    service.respond = () => ({ status: 429, headers: { 'retry-after': '7' } });
    assert.deepEqual(await provider.send(device, payload), {
      status: 'retry',
      reason: 'rate_limited',
      retryAfterMs: 7000,
    });
    service.respond = () => ({ status: 503 });
    assert.deepEqual(await provider.send(device, payload), { status: 'retry', reason: 'web_503' });
  });

  it('gives up on a payload the service refuses', async () => {
    service.respond = () => ({ status: 413 });
    assert.deepEqual(await provider.send(device, payload), { status: 'failed', reason: 'payload_too_large' });
  });

  it('retries when the service cannot be reached', async () => {
    const closed = await startStandIn('https');
    const endpoint = `${closed.url}/push/x`;
    await closed.close();
    const outcome = await provider.send({ ...device, subscription: keys.subscription(endpoint) }, payload);
    assert.equal(outcome.status, 'retry');
  });
});
