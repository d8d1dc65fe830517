/** APNs against a local HTTP/2 server: path, headers, ES256 provider token, body, and Apple's answers. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeProtectedHeader, exportPKCS8, generateKeyPair, jwtVerify } from 'jose';
import type { PushPayload } from '../../protocol/push.js';
import type { PushDeviceRecord } from '../store/store.js';
import { type StandIn, startStandIn } from '../testing/stand-in.js';
import { ApnsProvider } from './apns.js';

const payload: PushPayload = {
  title: 'Team',
  body: 'Bob: see you at 5',
  conversationId: 'conv-9',
  messageId: 'msg-9',
  count: 1,
  badge: 2,
  sound: 'default',
};
const TOKEN = 'a'.repeat(64);

describe('APNs provider', () => {
  let apple: StandIn;
  let provider: ApnsProvider;
  let publicKey: CryptoKey;
  const device: PushDeviceRecord = {
    id: 'd1',
    userId: 'u1',
    platform: 'ios',
    token: TOKEN,
    subscription: null,
    createdAt: new Date().toISOString(),
  };

  before(async () => {
    apple = await startStandIn('http2');
    const pair = await generateKeyPair('ES256', { extractable: true });
    publicKey = pair.publicKey;
    provider = new ApnsProvider({
      url: apple.url,
      keyId: 'KEY1234567',
      teamId: 'TEAM123456',
      topic: 'com.example.chat',
      privateKeyPem: await exportPKCS8(pair.privateKey),
      ca: apple.ca,
    });
  });
  after(async () => {
    await provider.close();
    await apple.close();
  });

  it('posts to /3/device/<token> over HTTP/2 with the topic, push type and a valid provider token', async () => {
    apple.respond = () => ({ status: 200, headers: { 'apns-id': 'x' } });
    assert.deepEqual(await provider.send(device, payload), { status: 'sent' });
    const request = apple.requests.at(-1);
    assert.ok(request);
    assert.equal(request.method, 'POST');
    assert.equal(request.path, `/3/device/${TOKEN}`);
    assert.equal(request.headers['apns-topic'], 'com.example.chat');
    assert.equal(request.headers['apns-push-type'], 'alert');
    assert.equal(request.headers['apns-priority'], '10');
    assert.equal(request.headers['apns-collapse-id'], 'conv-9');
    const jwt = String(request.headers.authorization).replace(/^bearer /, '');
    const header = decodeProtectedHeader(jwt);
    assert.equal(header.alg, 'ES256');
    assert.equal(header.kid, 'KEY1234567');
    const { payload: claims } = await jwtVerify(jwt, publicKey, { issuer: 'TEAM123456' });
    assert.ok(typeof claims.iat === 'number' && Math.abs(claims.iat - Date.now() / 1000) < 60);
    assert.deepEqual(JSON.parse(request.body.toString('utf8')), {
      aps: { alert: { title: 'Team', body: 'Bob: see you at 5' }, badge: 2, sound: 'default', 'thread-id': 'conv-9' },
      conversationId: 'conv-9',
      messageId: 'msg-9',
      count: 1,
    });
  });

  it('reuses one provider token and one connection', async () => {
    const before = apple.requests.length;
    await provider.send(device, payload);
    await provider.send(device, payload);
    const sent = apple.requests.slice(before - 1);
    assert.equal(new Set(sent.map((r) => r.headers.authorization)).size, 1);
  });

  it('reports 410 Unregistered and 400 BadDeviceToken as a dead token', async () => {
    apple.respond = () => ({ status: 410, body: JSON.stringify({ reason: 'Unregistered', timestamp: Date.now() }) });
    assert.deepEqual(await provider.send(device, payload), { status: 'gone', reason: 'apns_Unregistered' });
    apple.respond = () => ({ status: 400, body: JSON.stringify({ reason: 'BadDeviceToken' }) });
    assert.deepEqual(await provider.send(device, payload), { status: 'gone', reason: 'apns_BadDeviceToken' });
  });

  it('backs off on 429 and 503, and renews an expired provider token', async () => {
    apple.respond = () => ({ status: 429, body: JSON.stringify({ reason: 'TooManyRequests' }) });
    assert.deepEqual(await provider.send(device, payload), { status: 'retry', reason: 'rate_limited' });
    apple.respond = () => ({ status: 503, body: JSON.stringify({ reason: 'ServiceUnavailable' }) });
    assert.deepEqual(await provider.send(device, payload), { status: 'retry', reason: 'apns_503' });
    apple.respond = () => ({ status: 403, body: JSON.stringify({ reason: 'ExpiredProviderToken' }) });
    assert.deepEqual(await provider.send(device, payload), { status: 'retry', reason: 'apns_expired_provider_token' });
    apple.respond = () => ({ status: 200 });
    assert.deepEqual(await provider.send(device, payload), { status: 'sent' });
  });

  it('gives up on a refused payload', async () => {
    apple.respond = () => ({ status: 413, body: JSON.stringify({ reason: 'PayloadTooLarge' }) });
    assert.deepEqual(await provider.send(device, payload), { status: 'failed', reason: 'apns_PayloadTooLarge' });
  });
});
