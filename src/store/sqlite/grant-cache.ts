/**
 * Send grants kept in memory, because every send asks for one. Sound only with
 * one writing process (the embedded SQLite store): every change that can alter
 * a grant is a write call of this process, which drops the cache when it
 * starts and again when it finishes.
 */
import type { SendGrant } from '../stores.js';

/** The writes that can change a grant: membership, roles, send policy and blocks. */
export const GRANT_CHANGES: Readonly<Record<string, readonly string[]>> = {
  conversations: ['createGroup', 'update', 'addMember', 'removeMember', 'setRole'],
  users: ['block', 'unblock'],
  channels: ['create', 'addMembers', 'remove', 'setRole'],
};

const MAX_ENTRIES = 100_000;

export class SendGrantCache {
  private readonly grants = new Map<string, SendGrant>();
  /** Bumped by each invalidation, so a read that raced one is not kept. */
  private generation = 0;

  constructor(private readonly read: (conversationId: string, userId: string) => Promise<SendGrant | null>) {}

  async get(conversationId: string, userId: string): Promise<SendGrant | null> {
    const key = `${conversationId} ${userId}`;
    const cached = this.grants.get(key);
    if (cached) return { ...cached };
    const generation = this.generation;
    const grant = await this.read(conversationId, userId);
    // Only grants are kept: a refusal costs a read, so probing ids cannot fill memory.
    if (grant && generation === this.generation) {
      if (this.grants.size >= MAX_ENTRIES) this.grants.clear();
      this.grants.set(key, { ...grant });
    }
    return grant;
  }

  invalidate(): void {
    this.generation += 1;
    this.grants.clear();
  }
}
