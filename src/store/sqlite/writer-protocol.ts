/** Messages between the main thread and the SQLite writer thread. */
import type { StoreErrorKind } from '../errors.js';

export type StoreName =
  | 'users'
  | 'conversations'
  | 'messages'
  | 'delivery'
  | 'media'
  | 'admin'
  | 'push'
  | 'pushQueue'
  | 'channels'
  | 'changes'
  | 'previews'
  | 'pins'
  | 'storage';

export interface WriterRequest {
  id: number;
  store: StoreName;
  method: string;
  args: unknown[];
}

export interface WriterResult {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: { message: string; kind: StoreErrorKind | undefined; code: string | undefined };
}

/**
 * Requests and results cross in batches, one message per turn of either
 * thread's event loop: a message between threads has a fixed cost that showed
 * in the profile when every append had its own.
 */
export type WriterRequests = WriterRequest[];

export type WriterReply =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'observe'; observations: [string, number][] }
  | { type: 'results'; results: WriterResult[] };

/**
 * The store methods that write, run by the writer thread; every other method
 * reads on the caller's thread. A write missing here fails loudly (the
 * reader's connection is read-only), so the contract suites catch it.
 */
export const WRITE_METHODS: Record<Exclude<StoreName, 'storage'>, readonly string[]> = {
  users: ['create', 'update', 'addContact', 'removeContact', 'block', 'unblock'],
  conversations: [
    'getOrCreateDirect',
    'createGroup',
    'update',
    'addMember',
    'removeMember',
    'setRole',
    'advanceWatermarks',
  ],
  messages: ['append', 'edit', 'softDelete'],
  delivery: ['openDevice', 'ackDelivery', 'markSent'],
  media: ['create', 'touch', 'deleteUnreferenced'],
  admin: ['setAdmin'],
  push: ['registerDevice', 'deleteDevice', 'setMute', 'clearMute', 'updateSettings', 'advanceNotified'],
  pushQueue: ['enqueue', 'claim', 'complete', 'retry'],
  channels: ['create', 'addMembers', 'remove', 'setRole', 'markRead'],
  changes: ['react', 'edit', 'softDelete'],
  previews: ['putCached', 'attach', 'deleteExpired'],
  pins: [
    'pinChat',
    'unpinChat',
    'archiveChat',
    'unarchiveChat',
    'unarchiveFor',
    'updateChatSettings',
    'pinMessage',
    'unpinMessage',
  ],
};
