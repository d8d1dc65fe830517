/** Model-based command sequences against a real node (connect, send, resend, drop, resume, join, leave, token expiry). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../server.js';
import { fuzzModel, type ModelWorld } from './model.js';
import { tally } from './target.js';

const SECRET = 'model-secret-model-secret-model-secret-0123';

describe('protocol model fuzzing', () => {
  let server: TestServer;
  let world: ModelWorld;
  before(async () => {
    server = await startTestServer({ CHAT_JWT_SECRET: SECRET, CHAT_LOGIN_LIMIT_PER_IP: '100000' });
    const users = await Promise.all(['mf_a', 'mf_b', 'mf_c'].map((name) => server.api.user(name)));
    world = { api: server.api, url: server.url, users, secret: SECRET };
  });
  after(() => server.close());

  it('random command sequences agree with the model', async () => {
    const t = tally('model');
    await fuzzModel(world, { runs: 12, maxCommands: 20 }, t);
    assert.ok(t.inputs > 0);
  });
});
