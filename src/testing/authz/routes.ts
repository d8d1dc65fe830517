/**
 * One row per REST route: who may call it and how, for the authorization
 * matrix (src/gateway/authz-matrix.test.ts), which fails when the router has
 * a route without a row here, or a row names a route that no longer exists.
 *
 * Kinds: `public` needs no token; `user` is any signed-in user acting on its
 * own things; `scoped` names a conversation, message, media or admin resource
 * only some users may touch.
 */
import { randomUUID } from 'node:crypto';
import type { TestUser } from '../server.js';
import { PASSWORD, type Scene } from './fixture.js';

export type Who = 'sysadmin' | 'admin' | 'member';

export interface Call {
  method: string;
  path: string;
  body?: unknown;
  /** An image upload (multipart) instead of a JSON body. */
  upload?: true;
}

export interface RouteRow {
  kind: 'public' | 'user' | 'scoped';
  /** The caller the route is for. */
  legit: Who;
  /** The request, made by `as` (routes on "my own" things use its id). */
  call(s: Scene, as: TestUser): Call;
  /** What a removed member gets: denied (default), or either for reads of what it saw while a member. */
  removed?: 'denied' | 'either';
  /** The legitimate caller naming someone else's object; absent when the route names none of another's. */
  otherObject?(s: Scene, as: TestUser): Call;
}

const get = (path: string): Call => ({ method: 'GET', path });
const user = (call: RouteRow['call'], otherObject?: RouteRow['otherObject']): RouteRow => ({
  kind: 'user',
  legit: 'member',
  call,
  ...(otherObject ? { otherObject } : {}),
});
const scoped = (legit: Who, call: RouteRow['call'], extra: Partial<RouteRow> = {}): RouteRow => ({
  kind: 'scoped',
  legit,
  call,
  ...extra,
});
const publicRoute = (call: RouteRow['call']): RouteRow => ({ kind: 'public', legit: 'member', call });

export const ROUTE_ROWS: Record<string, RouteRow> = {
  'GET /healthz': publicRoute(() => get('/healthz')),
  'GET /readyz': publicRoute(() => get('/readyz')),
  'GET /metrics': publicRoute(() => get('/metrics')),
  'GET /*': publicRoute(() => get('/')),
  // CORS preflight (@fastify/cors): answered for allowed origins, 404 otherwise; never authenticated.
  'OPTIONS *': publicRoute(() => ({ method: 'OPTIONS', path: '/api/v1/users/me' })),
  'POST /api/v1/auth/register': publicRoute(() => ({
    method: 'POST',
    path: '/api/v1/auth/register',
    body: { username: `az_${randomUUID().slice(0, 8)}`, password: PASSWORD },
  })),
  'POST /api/v1/auth/login': publicRoute((s) => ({
    method: 'POST',
    path: '/api/v1/auth/login',
    body: { username: s.member.user.username, password: PASSWORD },
  })),
  'GET /api/v1/users/me': user(() => get('/api/v1/users/me')),
  'PATCH /api/v1/users/me': user(() => ({ method: 'PATCH', path: '/api/v1/users/me', body: { displayName: 'me' } })),
  'GET /api/v1/users': user(() => get('/api/v1/users?search=az')),
  'GET /api/v1/users/:id': user((s) => get(`/api/v1/users/${s.admin.user.id}`)),
  'GET /api/v1/users/:id/presence': user((s) => get(`/api/v1/users/${s.admin.user.id}/presence`)),
  'GET /api/v1/users/:id/conversations': user(
    (_s, as) => get(`/api/v1/users/${as.user.id}/conversations`),
    (s) => get(`/api/v1/users/${s.other.user.id}/conversations`),
  ),
  'GET /api/v1/users/me/contacts': user(() => get('/api/v1/users/me/contacts')),
  'PUT /api/v1/users/me/contacts/:userId': user((s) => ({
    method: 'PUT',
    path: `/api/v1/users/me/contacts/${s.other.user.id}`,
  })),
  'DELETE /api/v1/users/me/contacts/:userId': user((s) => ({
    method: 'DELETE',
    path: `/api/v1/users/me/contacts/${s.other.user.id}`,
  })),
  'GET /api/v1/users/me/blocks': user(() => get('/api/v1/users/me/blocks')),
  'PUT /api/v1/users/me/blocks/:userId': user((s) => ({
    method: 'PUT',
    path: `/api/v1/users/me/blocks/${s.sysadmin.user.id}`,
  })),
  'DELETE /api/v1/users/me/blocks/:userId': user((s) => ({
    method: 'DELETE',
    path: `/api/v1/users/me/blocks/${s.sysadmin.user.id}`,
  })),
  'POST /api/v1/conversations': user((s) => ({
    method: 'POST',
    path: '/api/v1/conversations',
    body: { type: 'direct', userId: s.other.user.id },
  })),
  'GET /api/v1/conversations/:id': scoped('member', (s) => get(`/api/v1/conversations/${s.groupId}`), {
    otherObject: (s) => get(`/api/v1/conversations/${s.otherConversationId}`),
  }),
  // Broadcast channels (docs/PROTOCOL.md, "Channels"): the scene's channel is private.
  'POST /api/v1/channels': user(() => ({ method: 'POST', path: '/api/v1/channels', body: { name: 'authz news' } })),
  'GET /api/v1/channels': user(() => get('/api/v1/channels?search=authz')),
  'PATCH /api/v1/channels/:id': scoped('admin', (s) => ({
    method: 'PATCH',
    path: `/api/v1/channels/${s.channelId}`,
    body: { name: 'renamed' },
  })),
  'POST /api/v1/channels/:id/join': scoped('admin', (s) => ({
    method: 'POST',
    path: `/api/v1/channels/${s.channelId}/join`,
  })),
  'PUT /api/v1/channels/:id/members': scoped('admin', (s) => ({
    method: 'PUT',
    path: `/api/v1/channels/${s.channelId}/members`,
    body: { userIds: [s.other.user.id] },
  })),
  'DELETE /api/v1/channels/:id/members/:userId': scoped('admin', (s) => ({
    method: 'DELETE',
    path: `/api/v1/channels/${s.channelId}/members/${s.member.user.id}`,
  })),
  'PUT /api/v1/channels/:id/members/:userId/role': scoped('admin', (s) => ({
    method: 'PUT',
    path: `/api/v1/channels/${s.channelId}/members/${s.member.user.id}/role`,
    body: { role: 'admin' },
  })),
  'GET /api/v1/channels/:id/readers': scoped('admin', (s) => get(`/api/v1/channels/${s.channelId}/readers?seqs=1`)),
  'GET /api/v1/conversations/:id/messages': scoped(
    'member',
    (s) => get(`/api/v1/conversations/${s.groupId}/messages`),
    {
      removed: 'either',
      otherObject: (s) => get(`/api/v1/conversations/${s.otherConversationId}/messages`),
    },
  ),
  'POST /api/v1/groups': user((s) => ({
    method: 'POST',
    path: '/api/v1/groups',
    body: { name: 'g', memberIds: [s.other.user.id] },
  })),
  'PATCH /api/v1/groups/:id': scoped('admin', (s) => ({
    method: 'PATCH',
    path: `/api/v1/groups/${s.groupId}`,
    body: { name: 'renamed' },
  })),
  'PUT /api/v1/groups/:id/members': scoped('admin', (s) => ({
    method: 'PUT',
    path: `/api/v1/groups/${s.groupId}/members`,
    body: { userId: s.other.user.id },
  })),
  'DELETE /api/v1/groups/:id/members/:userId': scoped('admin', (s) => ({
    method: 'DELETE',
    path: `/api/v1/groups/${s.groupId}/members/${s.member.user.id}`,
  })),
  'PUT /api/v1/groups/:id/members/:userId/role': scoped('admin', (s) => ({
    method: 'PUT',
    path: `/api/v1/groups/${s.groupId}/members/${s.member.user.id}/role`,
    body: { role: 'admin' },
  })),
  'POST /api/v1/messages': scoped(
    'member',
    (s) => ({
      method: 'POST',
      path: '/api/v1/messages',
      body: { conversationId: s.groupId, clientMsgId: randomUUID(), content: 'hi' },
    }),
    {
      otherObject: (s) => ({
        method: 'POST',
        path: '/api/v1/messages',
        body: { conversationId: s.otherConversationId, clientMsgId: randomUUID(), content: 'hi' },
      }),
    },
  ),
  'POST /api/v1/messages/:id/forward': scoped(
    'member',
    (s) => ({
      method: 'POST',
      path: `/api/v1/messages/${s.messageId}/forward`,
      body: { targets: [{ conversationId: s.groupId, clientMsgId: randomUUID() }] },
    }),
    {
      otherObject: (s) => ({
        method: 'POST',
        path: `/api/v1/messages/${s.otherMessageId}/forward`,
        body: { targets: [{ conversationId: s.groupId, clientMsgId: randomUUID() }] },
      }),
    },
  ),
  'POST /api/v1/messages/:id/read': scoped(
    'member',
    (s) => ({ method: 'POST', path: `/api/v1/messages/${s.messageId}/read` }),
    { otherObject: (s) => ({ method: 'POST', path: `/api/v1/messages/${s.otherMessageId}/read` }) },
  ),
  'PUT /api/v1/messages/:id/reaction': scoped(
    'member',
    (s) => ({ method: 'PUT', path: `/api/v1/messages/${s.messageId}/reaction`, body: { emoji: '👍' } }),
    {
      otherObject: (s) => ({
        method: 'PUT',
        path: `/api/v1/messages/${s.otherMessageId}/reaction`,
        body: { emoji: '👍' },
      }),
    },
  ),
  'DELETE /api/v1/messages/:id/reaction': scoped(
    'member',
    (s) => ({ method: 'DELETE', path: `/api/v1/messages/${s.messageId}/reaction` }),
    { otherObject: (s) => ({ method: 'DELETE', path: `/api/v1/messages/${s.otherMessageId}/reaction` }) },
  ),
  'GET /api/v1/messages/:id/reactions': scoped('member', (s) => get(`/api/v1/messages/${s.messageId}/reactions`), {
    removed: 'either',
    otherObject: (s) => get(`/api/v1/messages/${s.otherMessageId}/reactions`),
  }),
  'GET /api/v1/messages/:id/preview/image': scoped(
    'member',
    (s) => get(`/api/v1/messages/${s.messageId}/preview/image`),
    { otherObject: (s) => get(`/api/v1/messages/${s.otherMessageId}/preview/image`) },
  ),
  'GET /api/v1/messages/:id/receipts': scoped('admin', (s) => get(`/api/v1/messages/${s.messageId}/receipts`), {
    otherObject: (s) => get(`/api/v1/messages/${s.otherMessageId}/receipts`),
  }),
  'PATCH /api/v1/messages/:id': scoped(
    'admin',
    (s) => ({ method: 'PATCH', path: `/api/v1/messages/${s.messageId}`, body: { content: 'edited' } }),
    { otherObject: (s) => ({ method: 'PATCH', path: `/api/v1/messages/${s.otherMessageId}`, body: { content: 'x' } }) },
  ),
  'DELETE /api/v1/messages/:id': scoped(
    'admin',
    (s) => ({ method: 'DELETE', path: `/api/v1/messages/${s.messageId}` }),
    {
      otherObject: (s) => ({ method: 'DELETE', path: `/api/v1/messages/${s.otherMessageId}` }),
    },
  ),
  'GET /api/v1/search/messages': scoped(
    'member',
    (s) => get(`/api/v1/search/messages?q=members&conversationId=${s.groupId}`),
    {
      removed: 'either',
      otherObject: (s) => get(`/api/v1/search/messages?q=theirs&conversationId=${s.otherConversationId}`),
    },
  ),
  'GET /api/v1/push/config': user(() => get('/api/v1/push/config')),
  'POST /api/v1/devices': user(() => ({
    method: 'POST',
    path: '/api/v1/devices',
    body: { platform: 'ios', token: `tok-${randomUUID()}` },
  })),
  'GET /api/v1/devices': user(() => get('/api/v1/devices')),
  'DELETE /api/v1/devices/:id': scoped('admin', (s) => ({ method: 'DELETE', path: `/api/v1/devices/${s.deviceId}` }), {
    otherObject: (s) => ({ method: 'DELETE', path: `/api/v1/devices/${s.otherDeviceId}` }),
  }),
  'GET /api/v1/conversations/:id/mute': scoped('member', (s) => get(`/api/v1/conversations/${s.groupId}/mute`), {
    otherObject: (s) => get(`/api/v1/conversations/${s.otherConversationId}/mute`),
  }),
  'PUT /api/v1/conversations/:id/mute': scoped(
    'member',
    (s) => ({ method: 'PUT', path: `/api/v1/conversations/${s.groupId}/mute`, body: {} }),
    { otherObject: (s) => ({ method: 'PUT', path: `/api/v1/conversations/${s.otherConversationId}/mute`, body: {} }) },
  ),
  'DELETE /api/v1/conversations/:id/mute': scoped(
    'member',
    (s) => ({ method: 'DELETE', path: `/api/v1/conversations/${s.groupId}/mute` }),
    { otherObject: (s) => ({ method: 'DELETE', path: `/api/v1/conversations/${s.otherConversationId}/mute` }) },
  ),
  'GET /api/v1/users/me/notifications': user(() => get('/api/v1/users/me/notifications')),
  'PATCH /api/v1/users/me/notifications': user(() => ({
    method: 'PATCH',
    path: '/api/v1/users/me/notifications',
    body: { hidePreviews: true },
  })),
  'POST /api/v1/media': user(() => ({ method: 'POST', path: '/api/v1/media', upload: true })),
  'GET /api/v1/media/:id': scoped('member', (s) => get(`/api/v1/media/${s.mediaId}`), {
    otherObject: (s) => get(`/api/v1/media/${s.otherMediaId}`),
  }),
  'GET /api/v1/media/:id/thumbnail': scoped('member', (s) => get(`/api/v1/media/${s.mediaId}/thumbnail`), {
    otherObject: (s) => get(`/api/v1/media/${s.otherMediaId}/thumbnail`),
  }),
  // Pins and archive (docs/PROTOCOL.md, "Pins and archive").
  ...chatStateRows('pinned-chats'),
  ...chatStateRows('archived-chats'),
  'GET /api/v1/users/me/chat-settings': user(() => get('/api/v1/users/me/chat-settings')),
  'PATCH /api/v1/users/me/chat-settings': user(() => ({
    method: 'PATCH',
    path: '/api/v1/users/me/chat-settings',
    body: { keepArchived: true },
  })),
  'GET /api/v1/conversations/:id/pinned-messages': scoped(
    'member',
    (s) => get(`/api/v1/conversations/${s.groupId}/pinned-messages`),
    { otherObject: (s) => get(`/api/v1/conversations/${s.otherConversationId}/pinned-messages`) },
  ),
  ...pinnedMessageRows(),
  'GET /api/v1/ws': user(() => get('/api/v1/ws')),
  'GET /api/v1/admin/overview': scoped('sysadmin', () => get('/api/v1/admin/overview')),
  'GET /api/v1/admin/capacity': scoped('sysadmin', () => get('/api/v1/admin/capacity')),
};

/** PUT and DELETE of the caller's pinned or archived state of a conversation: its own, of a conversation it is in. */
function chatStateRows(kind: 'pinned-chats' | 'archived-chats'): Record<string, RouteRow> {
  return Object.fromEntries(
    (['PUT', 'DELETE'] as const).map((method) => [
      `${method} /api/v1/users/me/${kind}/:conversationId`,
      scoped('member', (s) => ({ method, path: `/api/v1/users/me/${kind}/${s.groupId}` }), {
        otherObject: (s) => ({ method, path: `/api/v1/users/me/${kind}/${s.otherConversationId}` }),
      }),
    ]),
  );
}

/** Pinning a group's message is for its admins. */
function pinnedMessageRows(): Record<string, RouteRow> {
  return Object.fromEntries(
    (['PUT', 'DELETE'] as const).map((method) => [
      `${method} /api/v1/conversations/:id/pinned-messages/:messageId`,
      scoped('admin', (s) => ({ method, path: `/api/v1/conversations/${s.groupId}/pinned-messages/${s.messageId}` }), {
        otherObject: (s) => ({
          method,
          path: `/api/v1/conversations/${s.otherConversationId}/pinned-messages/${s.otherMessageId}`,
        }),
      }),
    ]),
  );
}
