/** ChatChannels against the real server: create, find, join, post, read counts, leave; errors as ChatApiError. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../src/testing/server.js';
import { ChatChannels } from './channels.js';
import { ChatApiError } from './errors.js';
import { ChatRest } from './rest.js';

describe('ChatChannels with a real server', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('runs a channel from creation to reader counts', async () => {
    const [admin, reader] = await Promise.all([server.api.user('sdkch_a'), server.api.user('sdkch_r')]);
    const asAdmin = new ChatChannels({ baseUrl: server.url, token: admin.token });
    const asReader = new ChatChannels({ baseUrl: server.url, token: reader.token });
    const created = await asAdmin.create({ name: 'Harbour notices' });
    assert.equal(created.type, 'channel');
    const found = await asReader.search('harbour');
    assert.deepEqual(
      found.map((c) => c.id),
      [created.id],
    );
    const joined = await asReader.join(created.id);
    assert.equal(joined.channel?.memberCount, 2);

    const adminRest = new ChatRest({ baseUrl: server.url, token: admin.token });
    const readerRest = new ChatRest({ baseUrl: server.url, token: reader.token });
    const post = await adminRest.sendRest(created.id, 'Tide at 6');
    await assert.rejects(readerRest.sendRest(created.id, 'me too'), (error: unknown) => {
      assert.ok(error instanceof ChatApiError);
      assert.equal(error.code, 'forbidden');
      return true;
    });
    await readerRest.read(post.id);
    const counts = await asAdmin.readers(created.id, [post.seq]);
    assert.deepEqual(counts.readers, { [String(post.seq)]: 1 });
    await assert.rejects(asReader.readers(created.id, [post.seq]), ChatApiError);

    await asReader.remove(created.id, reader.user.id);
    const after = await asAdmin.addMembers(created.id, [reader.user.id]);
    assert.deepEqual(after.added, [reader.user.id]);
    const promoted = await asAdmin.setRole(created.id, reader.user.id, 'admin');
    assert.equal(promoted.members.length, 2);
  });
});
