/**
 * The world of the authorization matrix. Shared users: `sysadmin` (the first
 * user, a server admin), `admin` (creates the groups), `member`, `removed`
 * (a member removed before anything of interest was posted), `outsider` (in
 * nothing of theirs) and `other` (owns objects nobody else may touch). Each
 * route gets its own fresh scene, so no route's calls change another's.
 */
import { randomUUID } from 'node:crypto';
import { uploaded } from '../media-client.js';
import { png } from '../media-fixtures.js';
import { attachTestPreview } from '../preview-fixture.js';
import type { TestServer, TestUser } from '../server.js';

export interface Cast {
  sysadmin: TestUser;
  admin: TestUser;
  member: TestUser;
  removed: TestUser;
  outsider: TestUser;
  other: TestUser;
}

export interface Scene extends Cast {
  /** admin (admin), member; `removed` was removed at seq 3. */
  groupId: string;
  /** The seq of the removal's system message: the last one `removed` may see. */
  removedAtSeq: number;
  /** admin's message in the group, after the removal. */
  messageId: string;
  /** admin's image in the group, after the removal. */
  mediaId: string;
  /** admin's push device. */
  deviceId: string;
  /** A private channel of admin's with member; `removed` was removed from it. */
  channelId: string;
  /** other's 1:1 with outsider, a message and an unsent upload of other's, other's device. */
  otherConversationId: string;
  otherMessageId: string;
  otherMediaId: string;
  otherDeviceId: string;
}

export const PASSWORD = 'correct horse battery';

async function ok<T>(what: string, call: Promise<{ status: number; body: T }>): Promise<T> {
  const res = await call;
  if (res.status >= 300) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function cast(server: TestServer): Promise<Cast> {
  // The first user registered on a fresh server is its admin.
  const sysadmin = await server.api.user('az_sys');
  const [admin, member, removed, outsider, other] = await Promise.all(
    ['az_admin', 'az_member', 'az_removed', 'az_out', 'az_other'].map((n) => server.api.user(n)),
  );
  if (!admin || !member || !removed || !outsider || !other) throw new Error('cast');
  return { sysadmin, admin, member, removed, outsider, other };
}

async function device(server: TestServer, user: TestUser): Promise<string> {
  const body = await ok<{ device: { id: string } }>(
    'device',
    server.api.request('POST', '/api/v1/devices', {
      token: user.token,
      body: { platform: 'android', token: `tok-${randomUUID()}` },
    }),
  );
  return body.device.id;
}

export async function scene(server: TestServer, c: Cast): Promise<Scene> {
  const { api } = server;
  // Distinct bytes each time: an identical upload is deduplicated (answered 200, not 201).
  const image = () => png(32, 32, `#${randomUUID().slice(0, 6)}`);
  const groupId = await api.group(c.admin, [c.member, c.removed], 'authz');
  const removal = await ok<{ conversation: { lastSeq: number } }>(
    'removal',
    api.request('DELETE', `/api/v1/groups/${groupId}/members/${c.removed.user.id}`, { token: c.admin.token }),
  );
  const message = await ok<{ message: { id: string } }>('message', api.send(c.admin, groupId, 'for members only'));
  const media = await uploaded(server, c.admin, { fileName: 'a.png', type: 'image/png', bytes: await image() });
  await ok(
    'media message',
    api.request('POST', '/api/v1/messages', {
      token: c.admin.token,
      body: { conversationId: groupId, clientMsgId: randomUUID(), type: 'image', mediaId: media.id },
    }),
  );
  const channel = await ok<{ conversation: { id: string } }>(
    'channel',
    api.request('POST', '/api/v1/channels', {
      token: c.admin.token,
      body: { name: 'authz channel', public: false, memberIds: [c.member.user.id, c.removed.user.id] },
    }),
  );
  await ok(
    'channel removal',
    api.request('DELETE', `/api/v1/channels/${channel.conversation.id}/members/${c.removed.user.id}`, {
      token: c.admin.token,
    }),
  );
  const otherConversationId = await api.direct(c.other, c.outsider);
  const otherMessage = await ok<{ message: { id: string } }>(
    'other message',
    api.send(c.other, otherConversationId, 'theirs'),
  );
  const otherMedia = await uploaded(server, c.other, { fileName: 'b.png', type: 'image/png', bytes: await image() });
  // Link previews with images, so their image route has something to refuse or serve.
  await attachTestPreview(server, message.message.id, groupId);
  await attachTestPreview(server, otherMessage.message.id, otherConversationId);
  return {
    ...c,
    groupId,
    removedAtSeq: removal.conversation.lastSeq,
    messageId: message.message.id,
    mediaId: media.id,
    deviceId: await device(server, c.admin),
    channelId: channel.conversation.id,
    otherConversationId,
    otherMessageId: otherMessage.message.id,
    otherMediaId: otherMedia.id,
    otherDeviceId: await device(server, c.other),
  };
}
