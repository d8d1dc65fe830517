/**
 * The REST side of a session: users, presence, contacts and blocks, groups,
 * message edits, receipts and search. Results go into the store; failures
 * become a notice.
 */
import {
  ChatApiError,
  type ChatClient,
  type ChatStorage,
  type Conversation,
  type Message,
  type PrivacySettings,
  type Receipt,
  type SearchPage,
  type SendPolicy,
  type User,
} from '../../../sdk/index.js';
import { marksFromReceipts } from '../lib/ticks.js';
import type { Store } from '../state/store.js';
import type { Action, AppState } from '../state/types.js';

export class SessionDirectory {
  private readonly userFetches = new Map<string, Promise<void>>();

  constructor(
    protected readonly client: ChatClient,
    readonly store: Store<AppState, Action>,
    protected readonly storage: ChatStorage | undefined,
  ) {}

  dispatch(action: Action): void {
    this.store.dispatch(action);
  }

  /** Shows a failure as a short notice. */
  fail(error: unknown, what: string): void {
    const reason =
      error instanceof ChatApiError
        ? error.code === 'network_error'
          ? 'you are offline'
          : error.message
        : error instanceof Error
          ? error.message
          : String(error);
    this.dispatch({ type: 'notice', text: `${what}: ${reason}` });
  }

  /** Rejects after showing the notice, so forms can stay open. */
  private async attempt<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      this.fail(error, what);
      throw error;
    }
  }

  private me(): string {
    const me = this.store.getState().me;
    if (!me) throw new Error('not signed in');
    return me.id;
  }

  // Users and presence

  /** Fetches the profiles not known yet (names of senders, members, partners). */
  async ensureUsers(ids: readonly string[]): Promise<void> {
    const known = this.store.getState().users;
    const missing = [...new Set(ids)].filter((id) => id && !known[id] && !this.userFetches.has(id));
    if (missing.length === 0) return;
    const fetch = Promise.all(missing.map((id) => this.client.user(id).catch(() => null))).then((users) => {
      this.dispatch({ type: 'users', users: users.filter((u): u is User => u !== null) });
    });
    for (const id of missing) this.userFetches.set(id, fetch);
    await fetch;
  }

  async loadPresence(userId: string): Promise<void> {
    try {
      this.dispatch({ type: 'presence', presence: await this.client.presence(userId) });
    } catch {
      // unknown presence shows nothing
    }
  }

  /** Presence of the partners of the most recent direct chats. */
  protected refreshPresence(): void {
    const s = this.store.getState();
    const partners = Object.values(s.conversations)
      .filter((e) => e.conversation.type === 'direct')
      .sort((a, b) => (b.lastMessage?.createdAt ?? '').localeCompare(a.lastMessage?.createdAt ?? ''))
      .slice(0, 40)
      .map((e) => e.conversation.members.find((m) => m.userId !== s.me?.id)?.userId)
      .filter((id): id is string => Boolean(id));
    for (const id of partners) void this.loadPresence(id);
  }

  async searchUsers(prefix: string): Promise<User[]> {
    const query = prefix.trim().toLowerCase();
    if (!query) return [];
    const users = await this.client.searchUsers(query);
    this.dispatch({ type: 'users', users });
    return users;
  }

  // Conversations and groups

  private upsert(conversation: Conversation): Conversation {
    this.dispatch({ type: 'conversation', conversation });
    return conversation;
  }

  /** The direct chat with a user (created on first use); resolves with its id. */
  async startDirect(userId: string): Promise<string> {
    return this.attempt('Could not start the chat', async () => this.upsert(await this.client.openDirect(userId)).id);
  }

  async createGroup(name: string, memberIds: string[]): Promise<string> {
    return this.attempt('Could not create the group', async () => {
      return this.upsert(await this.client.createGroup({ name, memberIds })).id;
    });
  }

  async updateGroup(groupId: string, patch: { name?: string; sendPolicy?: SendPolicy }): Promise<void> {
    await this.attempt('Could not update the group', async () =>
      this.upsert(await this.client.updateGroup(groupId, patch)),
    );
  }

  async addMember(groupId: string, userId: string): Promise<void> {
    await this.attempt('Could not add the member', async () =>
      this.upsert(await this.client.addMember(groupId, userId)),
    );
  }

  async removeMember(groupId: string, userId: string): Promise<void> {
    await this.attempt('Could not remove the member', async () =>
      this.upsert(await this.client.removeMember(groupId, userId)),
    );
  }

  async setRole(groupId: string, userId: string, role: 'admin' | 'member'): Promise<void> {
    await this.attempt('Could not change the role', async () =>
      this.upsert(await this.client.setRole(groupId, userId, role)),
    );
  }

  async leaveGroup(groupId: string): Promise<void> {
    await this.attempt('Could not leave the group', async () => {
      await this.client.removeMember(groupId, this.me());
      this.dispatch({ type: 'conversationRemoved', conversationId: groupId });
    });
  }

  // Messages

  async editMessage(messageId: string, content: string): Promise<void> {
    await this.attempt('Could not edit the message', async () => {
      this.dispatch({ type: 'messageUpdated', message: await this.client.editMessage(messageId, content) });
    });
  }

  async deleteMessage(messageId: string): Promise<void> {
    await this.attempt('Could not delete the message', async () => {
      this.dispatch({ type: 'messageUpdated', message: await this.client.deleteMessage(messageId) });
    });
  }

  /** Forwards a message to these conversations; the copies arrive as new messages on the socket. */
  async forwardMessage(messageId: string, conversationIds: readonly string[]): Promise<void> {
    await this.attempt('Could not forward the message', async () => {
      await this.client.forward(messageId, conversationIds);
      const n = conversationIds.length;
      this.dispatch({ type: 'notice', text: n === 1 ? 'Message forwarded' : `Message forwarded to ${n} chats` });
    });
  }

  /** Who got and who read one's message; also moves the ticks' watermarks. */
  async receipts(message: Message): Promise<Receipt[]> {
    const receipts = await this.client.receipts(message.id);
    void this.ensureUsers(receipts.map((r) => r.userId));
    this.dispatch({
      type: 'watermarks',
      conversationId: message.conversationId,
      marks: marksFromReceipts(receipts, message.seq),
    });
    return receipts;
  }

  async searchMessages(q: string, options: { conversationId?: string; cursor?: string } = {}): Promise<SearchPage> {
    const page = await this.client.search(q, { ...options, limit: 30 });
    void this.ensureUsers(page.messages.map((m) => m.senderId));
    return page;
  }

  // Profile, privacy, contacts, blocks

  async updateProfile(patch: {
    displayName?: string;
    avatarUrl?: string | null;
    privacy?: Partial<PrivacySettings>;
  }): Promise<void> {
    await this.attempt('Could not save', async () => {
      const me = await this.client.updateMe(patch);
      this.dispatch({ type: 'me', me: me.user, privacy: me.settings.privacy });
    });
  }

  async loadContacts(): Promise<void> {
    try {
      const users = await this.client.contacts();
      this.dispatch({ type: 'users', users });
      this.dispatch({ type: 'contacts', userIds: users.map((u) => u.id) });
    } catch (error) {
      this.fail(error, 'Could not load contacts');
    }
  }

  async addContact(userId: string): Promise<void> {
    await this.attempt('Could not add the contact', () => this.client.addContact(userId));
    await this.loadContacts();
  }

  async removeContact(userId: string): Promise<void> {
    await this.attempt('Could not remove the contact', () => this.client.removeContact(userId));
    await this.loadContacts();
  }

  protected loadBlockedList(): void {
    void this.loadBlocked();
  }

  async block(userId: string): Promise<void> {
    await this.attempt('Could not block', () => this.client.block(userId));
    await this.loadBlocked();
  }

  async unblock(userId: string): Promise<void> {
    await this.attempt('Could not unblock', () => this.client.unblock(userId));
    await this.loadBlocked();
  }

  /** The server keeps the list, so every device of the user sees the same blocks. */
  private async loadBlocked(): Promise<void> {
    try {
      const users = await this.client.blocked();
      this.dispatch({ type: 'users', users });
      this.dispatch({ type: 'blocked', userIds: users.map((u) => u.id) });
    } catch (error) {
      this.fail(error, 'Could not load blocked users');
    }
  }
}
