/** Factories for unit tests: users, conversations, messages, a session with a given state. */
import type { Conversation, ConversationSummary, Message, User } from '../../sdk/index.js';
import { Session } from './session/session.js';

let counter = 0;
const next = () => {
  counter += 1;
  return counter;
};

export function user(name: string, overrides: Partial<User> = {}): User {
  return {
    id: `u-${name}`,
    username: name.toLowerCase(),
    displayName: name,
    avatarUrl: null,
    createdAt: '2026-01-01T10:00:00.000Z',
    ...overrides,
  };
}

export function conversation(overrides: Partial<Conversation> & { memberIds?: string[] } = {}): Conversation {
  const { memberIds = ['u-Alice', 'u-Bob'], ...rest } = overrides;
  return {
    id: `c-${next()}`,
    type: 'direct',
    name: null,
    avatarUrl: null,
    createdBy: memberIds[0] ?? 'u-Alice',
    createdAt: '2026-01-01T10:00:00.000Z',
    lastSeq: 0,
    members: memberIds.map((userId, i) => ({
      userId,
      role: i === 0 ? 'admin' : 'member',
      joinedAt: '2026-01-01T10:00:00.000Z',
    })),
    settings: { sendPolicy: 'all' },
    ...rest,
  };
}

export function summary(c: Conversation, lastMessage: Message | null = null, unreadCount = 0): ConversationSummary {
  return { ...c, lastMessage, unreadCount };
}

export function message(conversationId: string, seq: number, overrides: Partial<Message> = {}): Message {
  return {
    id: `m-${conversationId}-${seq}`,
    conversationId,
    senderId: 'u-Bob',
    seq,
    clientMsgId: `cm-${conversationId}-${seq}`,
    type: 'text',
    content: `message ${seq}`,
    media: null,
    replyToId: null,
    createdAt: new Date(Date.UTC(2026, 0, 1, 12, seq)).toISOString(),
    editedAt: null,
    deletedAt: null,
    ...overrides,
  };
}

/** A session that never connects; the test sets its state through the store. */
export function testSession(): Session {
  const session = new Session({ baseUrl: 'http://chat.test', token: 'test-token', onSignedOut: () => {} });
  return session;
}
