/**
 * What the contract suites need from an implementation, and helpers to build
 * fixtures. Every fixture gets fresh ids and usernames, so the suites also run
 * against one shared database (a PostgreSQL test database) without cleanup
 * between tests.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before } from 'node:test';
import type { SystemEvent } from '../../protocol/dto.js';
import { StoreError, type StoreErrorKind } from '../errors.js';
import type { MessageDraft, NewUser, SystemDraft, UserRecord } from '../records.js';
import type { MembershipChange, Storage } from '../stores.js';

export interface StorageHarness {
  storage: Storage;
  /**
   * Closes `storage` and opens the same data again (a restart). After it,
   * `cleanup` closes the reopened storage. Suites skip restart tests without it.
   */
  reopen?: () => Promise<Storage>;
  /** Closes whatever is open and removes the data. */
  cleanup: () => Promise<void>;
}

export type OpenStorage = () => Promise<StorageHarness>;

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** A random run of lowercase letters: a fresh id part, username or search word. */
export function token(length = 10): string {
  return Array.from(randomBytes(length), (byte) => LETTERS[byte % LETTERS.length]).join('');
}

export function id(prefix: string): string {
  return `${prefix}_${token(14)}`;
}

// Increasing timestamps, so orderings by time are deterministic.
let clock = Date.parse('2031-01-01T00:00:00.000Z');
export function nextTime(): string {
  clock += 1000;
  return new Date(clock).toISOString();
}

export function newUser(overrides: Partial<NewUser> = {}): NewUser {
  return {
    id: id('u'),
    username: `u${token(12)}`,
    displayName: 'Test User',
    phone: null,
    passwordHash: `hash:${token(8)}`,
    createdAt: nextTime(),
    ...overrides,
  };
}

export async function createUsers(storage: Storage, count: number): Promise<UserRecord[]> {
  const users: UserRecord[] = [];
  for (let i = 0; i < count; i++) users.push(await storage.users.create(newUser()));
  return users;
}

export function systemDraft(
  actorId: string,
  event: SystemEvent['event'],
  targetId: string | null = null,
  createdAt = nextTime(),
): SystemDraft {
  return {
    id: id('sys'),
    senderId: actorId,
    content: `${event} ${targetId ?? ''}`.trim(),
    createdAt,
    system: { event, actorId, targetId },
  };
}

export function messageDraft(
  conversationId: string,
  senderId: string,
  content: string,
  overrides: Partial<MessageDraft> = {},
): MessageDraft {
  return {
    id: id('m'),
    conversationId,
    senderId,
    clientMsgId: id('c'),
    type: 'text',
    content,
    mediaId: null,
    replyToId: null,
    createdAt: nextTime(),
    system: null,
    ...overrides,
  };
}

export async function createGroup(
  storage: Storage,
  creatorId: string,
  memberIds: readonly string[],
  name = `Group ${token(4)}`,
): Promise<MembershipChange> {
  const createdAt = nextTime();
  return storage.conversations.createGroup({
    id: id('g'),
    name,
    avatarUrl: null,
    createdBy: creatorId,
    createdAt,
    memberIds,
    system: systemDraft(creatorId, 'group_created', null, createdAt),
  });
}

/** Asserts that the promise rejects with a StoreError of this kind. */
export async function rejectsWith(promise: Promise<unknown>, kind: StoreErrorKind): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof StoreError, `expected a StoreError, got ${String(err)}`);
    assert.equal(err.kind, kind);
    return true;
  });
}

/**
 * Opens a harness before the tests of the calling describe() and cleans it up
 * after them; returns the storage getter.
 */
export function useStorage(open: OpenStorage): () => Storage {
  let harness: StorageHarness | undefined;
  before(async () => {
    harness = await open();
  });
  after(async () => {
    await harness?.cleanup();
  });
  return () => {
    if (!harness) throw new Error('storage harness is not open');
    return harness.storage;
  };
}
