/** REST fuzzing from the route schemas against a real node: no 5xx, the contract's error body, no leak to outsiders. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../server.js';
import { fuzzRest, type RestWorld } from './rest.js';
import { tally } from './target.js';

describe('REST fuzzing', () => {
  let server: TestServer;
  let world: RestWorld;
  before(async () => {
    server = await startTestServer({ CHAT_LOGIN_LIMIT_PER_IP: '100000' });
    const { api } = server;
    const [alice, bob, outsider] = await Promise.all([api.user('rf_a'), api.user('rf_b'), api.user('rf_o')]);
    const group = await api.group(alice, [bob]);
    const direct = await api.direct(alice, bob);
    const sent = await api.send(alice, group, 'hello');
    world = {
      api,
      routes: server.node.app.registeredRoutes,
      schemas: server.node.app.routeSchemas,
      alice,
      outsider,
      privateIds: [group, direct, sent.body.message.id],
      publicIds: [alice.user.id, bob.user.id, outsider.user.id],
    };
  });
  after(() => server.close());

  // Seeds that once failed (the fuzzer's own faults included), replayed on every run.
  it('regression seeds', async () => {
    const t = tally('rest regressions');
    // 1649801293: `OPTIONS *` (the CORS preflight) had no concrete path.
    for (const seed of [1649801293]) await fuzzRest(world, { runs: 60, seed }, t);
    assert.equal(t.serverErrors, 0);
  });

  it('every route: no 5xx, errors in the contract shape, outsiders refused', async () => {
    const t = tally('rest');
    await fuzzRest(world, { runs: 400 }, t);
    assert.equal(t.serverErrors, 0);
    assert.equal(t.inputs, 400);
  });
});
