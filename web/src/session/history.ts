/**
 * The history side of a session: which chat is open, its pages of history
 * (newest, older, newer, around a search hit), read marks, and the receipt
 * watermarks behind the ticks.
 */
import { ChatApiError, type ChatClient, type ChatStorage } from '../../../sdk/index.js';
import { otherMemberId } from '../lib/names.js';
import type { Store } from '../state/store.js';
import type { Action, AppState, PageMode } from '../state/types.js';
import { SessionDirectory } from './directory.js';
import { seedWatermarks } from './seed.js';

const PAGE = 50;

export class SessionHistory extends SessionDirectory {
  /** The last read mark sent, per conversation. */
  private readonly readSent = new Map<string, number>();
  private readonly seeding = new Set<string>();

  constructor(client: ChatClient, store: Store<AppState, Action>, storage: ChatStorage | undefined) {
    super(client, store, storage);
  }

  get state(): AppState {
    return this.store.getState();
  }

  /** The user sees the newest messages of this chat (open, scrolled down, tab visible). */
  protected isViewing(conversationId: string): boolean {
    const s = this.state;
    const visible = typeof document === 'undefined' || document.visibilityState === 'visible';
    return s.active === conversationId && s.atBottom && visible && !s.timelines[conversationId]?.hasNewer;
  }

  // Opening conversations and paging their history

  /** Shows a conversation (null: the list); loads its newest page the first time. */
  open(conversationId: string | null): void {
    if (this.state.active === conversationId) return;
    if (this.state.active) this.client.stopTyping(this.state.active);
    this.dispatch({ type: 'open', conversationId });
    if (!conversationId) return;
    void this.prepare(conversationId);
  }

  private async prepare(conversationId: string): Promise<void> {
    const timeline = this.state.timelines[conversationId];
    if (!timeline?.loaded && timeline?.loading !== 'initial') await this.loadNewest(conversationId);
    const entry = this.state.conversations[conversationId];
    const other = entry ? otherMemberId(entry.conversation, this.state.me?.id) : null;
    if (other) void this.loadPresence(other);
    if (entry?.conversation.type === 'group') void this.ensureUsers(entry.conversation.members.map((m) => m.userId));
    void this.seed(conversationId);
    this.markSeen(conversationId);
  }

  async loadNewest(conversationId: string, mode: Extract<PageMode, 'newest' | 'refresh'> = 'newest'): Promise<void> {
    if (mode === 'newest') this.dispatch({ type: 'timelineLoading', conversationId, loading: 'initial' });
    await this.page(conversationId, mode, { limit: PAGE });
  }

  async loadOlder(conversationId: string): Promise<void> {
    const t = this.state.timelines[conversationId];
    const first = t?.messages[0];
    if (!t?.loaded || t.loading || !t.hasOlder || !first) return;
    this.dispatch({ type: 'timelineLoading', conversationId, loading: 'older' });
    await this.page(conversationId, 'older', { limit: PAGE, before: first.seq });
  }

  async loadNewer(conversationId: string): Promise<void> {
    const t = this.state.timelines[conversationId];
    const last = t?.messages[t.messages.length - 1];
    if (!t?.loaded || t.loading || !t.hasNewer || !last) return;
    this.dispatch({ type: 'timelineLoading', conversationId, loading: 'newer' });
    await this.page(conversationId, 'newer', { limit: PAGE, after: last.seq });
    if (!this.state.timelines[conversationId]?.hasNewer) this.markSeen(conversationId);
  }

  /** Opens a conversation scrolled to one message, loading the history around it. */
  async openAt(conversationId: string, messageId: string, seq: number): Promise<void> {
    if (this.state.active && this.state.active !== conversationId) this.client.stopTyping(this.state.active);
    this.dispatch({ type: 'open', conversationId, focusMessageId: messageId });
    const timeline = this.state.timelines[conversationId];
    const loaded = timeline?.loaded && timeline.messages.some((m) => m.id === messageId);
    if (!loaded) {
      this.dispatch({ type: 'timelineLoading', conversationId, loading: 'initial' });
      try {
        const [before, after] = await Promise.all([
          this.client.history(conversationId, { before: seq + 1, limit: 25 }),
          this.client.history(conversationId, { after: seq, limit: 25 }),
        ]);
        const messages = [...before.messages, ...after.messages];
        void this.ensureUsers(messages.map((m) => m.senderId));
        this.dispatch({
          type: 'page',
          conversationId,
          mode: 'around',
          messages,
          hasMore: before.hasMore,
          hasNewer: after.hasMore,
        });
      } catch (error) {
        this.dispatch({ type: 'timelineLoading', conversationId, loading: null });
        this.fail(error, 'Could not load that message');
        return;
      }
    }
    void this.prepare(conversationId);
  }

  private async page(
    conversationId: string,
    mode: PageMode,
    query: { limit: number; before?: number; after?: number },
  ): Promise<void> {
    try {
      const page = await this.client.history(conversationId, query);
      void this.ensureUsers(page.messages.map((m) => m.senderId));
      this.dispatch({ type: 'page', conversationId, mode, messages: page.messages, hasMore: page.hasMore });
    } catch (error) {
      this.dispatch({ type: 'timelineLoading', conversationId, loading: null });
      if (!(error instanceof ChatApiError && error.code === 'network_error'))
        this.fail(error, 'Could not load messages');
    }
  }

  /** Reads the receipts of one's own messages once per connection, for the ticks. */
  protected async seed(conversationId: string): Promise<void> {
    const s = this.state;
    const timeline = s.timelines[conversationId];
    const entry = s.conversations[conversationId];
    if (!timeline?.loaded || timeline.seeded || !entry || entry.removed || !s.me) return;
    if (this.seeding.has(conversationId)) return;
    this.seeding.add(conversationId);
    try {
      const marks = await seedWatermarks(entry.conversation, timeline.messages, s.me.id, (id) =>
        this.client.receipts(id),
      );
      this.dispatch({ type: 'watermarks', conversationId, marks });
    } catch {
      // ticks stay at what live events tell
    } finally {
      this.seeding.delete(conversationId);
    }
  }

  // Reading, typing, sending

  setAtBottom(conversationId: string, atBottom: boolean): void {
    this.dispatch({ type: 'atBottom', atBottom });
    if (atBottom) this.markSeen(conversationId);
  }

  /** The newest messages of the open chat are on screen: mark them read. */
  markSeen(conversationId: string): void {
    if (!this.isViewing(conversationId)) return;
    const s = this.state;
    const entry = s.conversations[conversationId];
    const last = s.timelines[conversationId]?.messages.at(-1);
    if (!entry || entry.removed || !last) return;
    const sent = this.readSent.get(conversationId) ?? 0;
    if (last.seq <= sent) return;
    const unseen = entry.unreadCount > 0 || (last.senderId !== s.me?.id && last.type !== 'system');
    if (!unseen) return;
    this.readSent.set(conversationId, last.seq);
    this.client.markRead(conversationId, last.seq);
    this.dispatch({ type: 'readUpTo', conversationId, seq: last.seq });
  }
}
