/**
 * Findings of the chaos runs, as regression tests. A test marked `todo` shows
 * a known open bug: it runs and reports, but does not fail the suite; remove
 * the mark with the fix.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../../src/testing/server.js';
import { WsClient } from '../../src/testing/ws.js';

describe('chaos findings', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('a device that was behind when its user left a group still gets the rest of its window on reconnect', async () => {
    const { api } = server;
    const [admin, member] = await Promise.all([api.user('fd_admin'), api.user('fd_member')]);
    const group = await api.group(admin, [member]);
    const device = await WsClient.ready(server.url, member.token, { deviceId: 'phone' });
    await device.ping();
    const seen = Math.max(0, ...device.seqs(group));
    // It acknowledges what it got (a ping after the ack proves the server handled it), then goes offline.
    device.send({ type: 'message:received', conversationId: group, seq: seen });
    await device.ping();
    await device.close();
    // While the phone is offline: two messages, then the member leaves from another device.
    await api.send(admin, group, 'one');
    await api.send(admin, group, 'two');
    const left = await api.request('DELETE', `/api/v1/groups/${group}/members/${member.user.id}`, {
      token: member.token,
    });
    assert.equal(left.status, 200);
    const leaveSeq = left.body.conversation.lastSeq as number;
    const back = await WsClient.ready(server.url, member.token, { deviceId: 'phone' });
    await back.ping();
    const expected = Array.from({ length: leaveSeq - seen }, (_, i) => seen + 1 + i);
    assert.deepEqual(back.seqs(group), expected, 'the messages of its window it had not received, up to its leave');
    await back.close();
  });
});
