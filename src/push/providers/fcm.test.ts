/** FCM HTTP v1 against a local HTTPS server: OAuth JWT grant, the v1 request, and FCM's answers. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { exportPKCS8, generateKeyPair, jwtVerify } from 'jose';
import type { PushPayload } from '../../protocol/push.js';
import type { PushDeviceRecord } from '../store/store.js';
import { type Answer, type RecordedRequest, type StandIn, startStandIn } from '../testing/stand-in.js';
import { FCM_SCOPE, FcmProvider } from './fcm.js';

const payload: PushPayload = {
  title: 'Alice',
  body: 'hello',
  conversationId: 'conv-2',
  messageId: 'msg-2',
  count: 1,
  badge: 4,
  sound: 'default',
};

function fcmError(status: number, name: string, errorCode: string): Answer {
  return {
    status,
    body: JSON.stringify({
      error: {
        code: status,
        message: 'Requested entity was not found.',
        status: name,
        details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode }],
      },
    }),
  };
}

describe('FCM provider', () => {
  let google: StandIn;
  let provider: FcmProvider;
  let publicKey: CryptoKey;
  let tokensIssued = 0;
  let send: (request: RecordedRequest) => Answer = () => ({ status: 200, body: '{"name":"projects/p/messages/1"}' });
  const device: PushDeviceRecord = {
    id: 'd1',
    userId: 'u1',
    platform: 'android',
    token: 'fcm-token:abc_123',
    subscription: null,
    createdAt: new Date().toISOString(),
  };

  before(async () => {
    google = await startStandIn('https');
    const pair = await generateKeyPair('RS256', { extractable: true });
    publicKey = pair.publicKey;
    google.respond = async (request) => {
      if (request.path === '/token') {
        const form = new URLSearchParams(request.body.toString('utf8'));
        assert.equal(form.get('grant_type'), 'urn:ietf:params:oauth:grant-type:jwt-bearer');
        const { payload: claims } = await jwtVerify(form.get('assertion') ?? '', publicKey, {
          issuer: 'push@proj.iam.gserviceaccount.com',
          audience: `${google.url}/token`,
        });
        assert.equal(claims.scope, FCM_SCOPE);
        tokensIssued += 1;
        return { status: 200, body: JSON.stringify({ access_token: `ya29.t${tokensIssued}`, expires_in: 3599 }) };
      }
      return send(request);
    };
    provider = new FcmProvider({
      serviceAccount: {
        project_id: 'proj',
        client_email: 'push@proj.iam.gserviceaccount.com',
        private_key: await exportPKCS8(pair.privateKey),
        token_uri: `${google.url}/token`,
      },
      url: google.url,
      ca: google.ca,
    });
  });
  after(async () => {
    await provider.close();
    await google.close();
  });

  it('gets an access token with a signed JWT grant and sends the v1 message with it', async () => {
    assert.deepEqual(await provider.send(device, payload), { status: 'sent' });
    const request = google.requests.at(-1);
    assert.ok(request);
    assert.equal(request.method, 'POST');
    assert.equal(request.path, '/v1/projects/proj/messages:send');
    assert.equal(request.headers.authorization, 'Bearer ya29.t1');
    const body = JSON.parse(request.body.toString('utf8'));
    assert.equal(body.message.token, 'fcm-token:abc_123');
    assert.deepEqual(body.message.notification, { title: 'Alice', body: 'hello' });
    assert.deepEqual(body.message.data, { conversationId: 'conv-2', messageId: 'msg-2', badge: '4', count: '1' });
    assert.equal(body.message.android.collapse_key, 'conv-2');
    assert.equal(body.message.android.notification.notification_count, 4);
  });

  it('keeps the access token until it expires', async () => {
    await provider.send(device, payload);
    assert.equal(tokensIssued, 1);
  });

  it('reports UNREGISTERED as a dead token', async () => {
    send = () => fcmError(404, 'NOT_FOUND', 'UNREGISTERED');
    assert.deepEqual(await provider.send(device, payload), { status: 'gone', reason: 'fcm_UNREGISTERED' });
  });

  it('backs off on QUOTA_EXCEEDED for the Retry-After given, and retries UNAVAILABLE', async () => {
    send = () => ({ ...fcmError(429, 'RESOURCE_EXHAUSTED', 'QUOTA_EXCEEDED'), headers: { 'retry-after': '30' } });
    assert.deepEqual(await provider.send(device, payload), {
      status: 'retry',
      reason: 'rate_limited',
      retryAfterMs: 30_000,
    });
    send = () => fcmError(503, 'UNAVAILABLE', 'UNAVAILABLE');
    assert.deepEqual(await provider.send(device, payload), { status: 'retry', reason: 'fcm_UNAVAILABLE' });
  });

  it('fetches a new access token after a 401', async () => {
    send = () => ({ status: 401, body: JSON.stringify({ error: { code: 401, status: 'UNAUTHENTICATED' } }) });
    assert.deepEqual(await provider.send(device, payload), { status: 'retry', reason: 'fcm_unauthenticated' });
    send = () => ({ status: 200, body: '{}' });
    assert.deepEqual(await provider.send(device, payload), { status: 'sent' });
    assert.equal(tokensIssued, 2);
    assert.equal(google.requests.at(-1)?.headers.authorization, 'Bearer ya29.t2');
  });

  it('gives up on INVALID_ARGUMENT', async () => {
    send = () => fcmError(400, 'INVALID_ARGUMENT', 'INVALID_ARGUMENT');
    assert.deepEqual(await provider.send(device, payload), { status: 'failed', reason: 'fcm_INVALID_ARGUMENT' });
  });
});
