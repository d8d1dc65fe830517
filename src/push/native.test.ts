/**
 * APNs and FCM through a configured node: the CHAT_APNS_* and CHAT_FCM_*
 * settings point at local stand-ins (HTTP/2 for Apple, HTTPS for Google's
 * token and FCM endpoints), which check what arrives and answer like the
 * real services, dead tokens included.
 */
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { exportPKCS8, generateKeyPair, jwtVerify } from 'jose';
import { startTestServer, type TestServer, tempDir } from '../testing/server.js';
import { waitFor } from '../testing/ws.js';
import { type StandIn, startStandIn } from './testing/stand-in.js';

const IOS_TOKEN = 'c0ffee'.repeat(10).slice(0, 64);
const ANDROID_TOKEN = 'fcm:APA91b-test_token';

describe('APNs and FCM from a configured node', () => {
  let dir: string;
  let apple: StandIn;
  let google: StandIn;
  let server: TestServer;
  let applePublicKey: CryptoKey;

  before(async () => {
    dir = await tempDir('chat-push-native-');
    apple = await startStandIn('http2');
    google = await startStandIn('https');
    const appleKeys = await generateKeyPair('ES256', { extractable: true });
    applePublicKey = appleKeys.publicKey;
    const googleKeys = await generateKeyPair('RS256', { extractable: true });
    await writeFile(join(dir, 'apns.p8'), await exportPKCS8(appleKeys.privateKey));
    await writeFile(
      join(dir, 'service-account.json'),
      JSON.stringify({
        type: 'service_account',
        project_id: 'chat-test',
        client_email: 'push@chat-test.iam.gserviceaccount.com',
        private_key: await exportPKCS8(googleKeys.privateKey),
        token_uri: `${google.url}/token`,
      }),
    );
    await writeFile(join(dir, 'ca.pem'), apple.ca);
    google.respond = async (request) => {
      if (request.path === '/token') {
        const assertion = new URLSearchParams(request.body.toString()).get('assertion') ?? '';
        await jwtVerify(assertion, googleKeys.publicKey, { audience: `${google.url}/token` });
        return { status: 200, body: JSON.stringify({ access_token: 'ya29.node', expires_in: 3600 }) };
      }
      return { status: 200, body: '{"name":"projects/chat-test/messages/1"}' };
    };
    server = await startTestServer({
      CHAT_PUSH_GRACE_MS: '200',
      CHAT_PUSH_COALESCE_MS: '600',
      CHAT_PUSH_CA_FILE: join(dir, 'ca.pem'),
      CHAT_APNS_KEY_FILE: join(dir, 'apns.p8'),
      CHAT_APNS_KEY_ID: 'KEYID12345',
      CHAT_APNS_TEAM_ID: 'TEAMID1234',
      CHAT_APNS_TOPIC: 'com.example.chat',
      CHAT_APNS_URL: apple.url,
      CHAT_FCM_SERVICE_ACCOUNT_FILE: join(dir, 'service-account.json'),
      CHAT_FCM_URL: google.url,
    });
  });
  after(async () => {
    await server?.close();
    await apple?.close();
    await google?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const sends = () => google.requests.filter((r) => r.path.endsWith('/messages:send'));

  it('pushes one coalesced notification to an iPhone and an Android phone', async () => {
    const alice = await server.api.user('alice');
    const bob = await server.api.user('bob');
    const conversationId = await server.api.direct(alice, bob);
    const config = await server.api.request('GET', '/api/v1/push/config', { token: bob.token });
    assert.deepEqual(config.body.platforms, ['android', 'ios', 'web']);
    for (const body of [
      { platform: 'ios', token: IOS_TOKEN },
      { platform: 'android', token: ANDROID_TOKEN },
    ]) {
      assert.equal((await server.api.request('POST', '/api/v1/devices', { token: bob.token, body })).status, 201);
    }
    await server.api.send(alice, conversationId, 'first');
    await server.api.send(alice, conversationId, 'second');
    await waitFor('both pushes', () => (apple.requests.length >= 1 && sends().length >= 1 ? true : undefined), 8000);

    const [toApple] = apple.requests;
    assert.equal(toApple?.path, `/3/device/${IOS_TOKEN}`);
    assert.equal(toApple?.headers['apns-topic'], 'com.example.chat');
    const jwt = String(toApple?.headers.authorization).replace(/^bearer /, '');
    await jwtVerify(jwt, applePublicKey, { issuer: 'TEAMID1234' });
    const aps = JSON.parse(String(toApple?.body));
    assert.deepEqual(aps.aps.alert, { title: 'alice', body: 'alice: 2 new messages' });
    assert.equal(aps.aps.badge, 2);
    assert.equal(aps.conversationId, conversationId);

    const [toGoogle] = sends();
    assert.equal(toGoogle?.path, '/v1/projects/chat-test/messages:send');
    assert.equal(toGoogle?.headers.authorization, 'Bearer ya29.node');
    const message = JSON.parse(String(toGoogle?.body)).message;
    assert.equal(message.token, ANDROID_TOKEN);
    assert.deepEqual(message.notification, { title: 'alice', body: 'alice: 2 new messages' });
    assert.equal(message.data.badge, '2');
  });

  it('deletes the devices APNs and FCM say are unregistered', async () => {
    const alice = await server.api.user('alice');
    const carol = await server.api.user('carol');
    const conversationId = await server.api.direct(alice, carol);
    const iosToken = 'ab'.repeat(32);
    await server.api.request('POST', '/api/v1/devices', {
      token: carol.token,
      body: { platform: 'ios', token: iosToken },
    });
    await server.api.request('POST', '/api/v1/devices', {
      token: carol.token,
      body: { platform: 'android', token: 'fcm:dead' },
    });
    apple.respond = () => ({ status: 410, body: JSON.stringify({ reason: 'Unregistered', timestamp: Date.now() }) });
    const previous = google.respond;
    google.respond = (request) =>
      request.path.endsWith('/messages:send')
        ? {
            status: 404,
            body: JSON.stringify({
              error: {
                code: 404,
                status: 'NOT_FOUND',
                details: [
                  { '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'UNREGISTERED' },
                ],
              },
            }),
          }
        : previous(request);
    await server.api.send(alice, conversationId, 'anyone there?');
    await waitFor(
      'both devices to be removed',
      async () => {
        const res = await server.api.request('GET', '/api/v1/devices', { token: carol.token });
        return res.body.devices.length === 0 ? true : undefined;
      },
      8000,
    );
    assert.ok(apple.requests.some((r) => r.path === `/3/device/${iosToken}`));
    assert.ok(sends().some((r) => JSON.parse(String(r.body)).message.token === 'fcm:dead'));
  });
});
