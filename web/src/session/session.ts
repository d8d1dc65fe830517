/**
 * One signed-in session: the SDK's ChatClient (reconnect, resume, reorder,
 * dedupe, outbox) bridged into the store. Components read the store and call
 * the methods here; nothing else talks to the server.
 */
import {
  ChatClient,
  type ChatStorage,
  type Conversation,
  type Message,
  newClientMsgId,
  type WebSocketConstructor,
} from '../../../sdk/index.js';
import { otherMemberId } from '../lib/names.js';
import { withMentions } from '../mentions/state.js';
import { wirePins, withPins } from '../pins/state.js';
import { wireReactions, withReactions } from '../reactions/state.js';
import { reducer } from '../state/reducer.js';
import { createStore } from '../state/store.js';
import { initialState } from '../state/types.js';
import { SessionHistory } from './history.js';

export interface SessionOptions {
  baseUrl: string;
  token: string;
  storage?: ChatStorage;
  WebSocket?: WebSocketConstructor;
  /** The token was refused: back to the sign-in screen. */
  onSignedOut(reason: string): void;
}

const TYPING_LAPSE_MS = 6000;

export class Session extends SessionHistory {
  private readonly offs: Array<() => void> = [];
  private readonly conversationFetches = new Map<string, Promise<void>>();
  private lapseTimer: ReturnType<typeof setInterval> | null = null;
  /** Replays completed (`synced` after each connection). */
  private syncs = 0;

  constructor(private readonly options: SessionOptions) {
    const store = createStore(withReactions(withPins(withMentions(reducer))), initialState);
    const client = new ChatClient({
      baseUrl: options.baseUrl,
      token: options.token,
      storage: options.storage,
      WebSocket: options.WebSocket,
    });
    super(client, store, options.storage);
  }

  /** The server's origin (media URLs are relative to it). */
  get baseUrl(): string {
    return this.options.baseUrl;
  }

  /** The bearer token, for media requests the SDK does not make (uploads, blob fetches). */
  get token(): string {
    return this.options.token;
  }

  /** Reads the profile and the conversation list, then connects. Throws a ChatApiError (401: sign in again). */
  async start(): Promise<void> {
    const [me, conversations] = await Promise.all([this.client.me(), this.client.conversations()]);
    this.dispatch({
      type: 'bootstrap',
      me: me.user,
      privacy: me.settings.privacy,
      conversations,
      pending: this.client.pendingSends(),
    });
    this.loadBlockedList();
    this.wire();
    const ids = new Set<string>();
    for (const c of conversations) {
      const other = otherMemberId(c, me.user.id);
      if (other) ids.add(other);
      if (c.lastMessage) ids.add(c.lastMessage.senderId);
    }
    void this.ensureUsers([...ids]);
    this.refreshPresence();
    void this.client.connect();
  }

  stop(): void {
    for (const off of this.offs.splice(0)) off();
    if (this.lapseTimer) clearInterval(this.lapseTimer);
    this.lapseTimer = null;
    this.client.close();
  }

  signOut(): void {
    this.stop();
    this.options.onSignedOut('');
  }

  private wire(): void {
    const c = this.client;
    const on = this.offs;
    on.push(
      c.on('message', (m) => this.onMessage(m)),
      c.on('messageUpdated', (message) => this.dispatch({ type: 'messageUpdated', message })),
      c.on('messagePreview', ({ conversationId, messageId, preview }) =>
        this.dispatch({ type: 'messagePreview', conversationId, messageId, preview }),
      ),
      c.on('delivered', (e) => this.dispatch({ type: 'receipt', ...e, kind: 'delivered' })),
      c.on('read', (e) => {
        this.dispatch({ type: 'receipt', ...e, kind: 'read' });
        if (e.userId === this.state.me?.id)
          this.dispatch({ type: 'readUpTo', conversationId: e.conversationId, seq: e.seq });
      }),
      c.on('typing', ({ conversationId, userId, typing }) => {
        if (userId === this.state.me?.id) return;
        this.dispatch({ type: 'typing', conversationId, userId, until: typing ? Date.now() + TYPING_LAPSE_MS : null });
      }),
      c.on('presence', (p) => this.dispatch({ type: 'presence', presence: p })),
      c.on('conversationUpdated', (conversation) => {
        this.dispatch({ type: 'conversation', conversation });
        void this.ensureUsers(conversation.members.slice(0, 64).map((m) => m.userId));
        this.watchPartner(conversation);
      }),
      c.on('conversationRemoved', ({ conversationId }) =>
        this.dispatch({ type: 'conversationRemoved', conversationId }),
      ),
      c.on('connected', () => {
        this.dispatch({ type: 'connection', status: 'online' });
        this.refreshPending();
      }),
      c.on('synced', ({ initial }) => {
        if (initial) void this.resync();
      }),
      c.on('disconnected', ({ willReconnect, delayMs }) => {
        const offline = typeof navigator !== 'undefined' && navigator.onLine === false;
        const status = offline || !willReconnect ? 'offline' : 'reconnecting';
        this.dispatch({ type: 'connection', status, retryAt: delayMs === null ? null : Date.now() + delayMs });
        this.dispatch({ type: 'unseed' });
        this.refreshPending();
      }),
      c.on('closed', ({ code, reason }) => {
        if (code === 4401 || code === 4403) {
          this.stop();
          this.options.onSignedOut(reason || 'Your session has ended. Please sign in again.');
        }
      }),
      c.on('sendAcked', ({ message }) => {
        this.dispatch({ type: 'message', message, countUnread: false });
        this.refreshPending();
      }),
      c.on('sendFailed', ({ send, error }) => {
        this.dispatch({
          type: 'sendFailed',
          failed: {
            clientMsgId: send.clientMsgId,
            conversationId: send.conversationId,
            content: send.content,
            replyToId: send.replyToId ?? null,
            ...(send.mediaId ? { mediaId: send.mediaId, messageType: send.messageType } : {}),
            queuedAt: send.queuedAt,
            error: error.message,
          },
        });
        this.refreshPending();
      }),
      c.on('error', (error) => console.warn('chat:', error.message)),
      ...wirePins(c),
      ...wireReactions(
        c,
        () => this.state.me?.id ?? null,
        (action) => this.dispatch(action),
      ),
    );
    this.lapseTimer = setInterval(() => this.dispatch({ type: 'typingLapse', now: Date.now() }), 1000);
    if (typeof window !== 'undefined') {
      const online = () => this.reconnectNow();
      const offline = () => this.dispatch({ type: 'connection', status: 'offline' });
      const visibility = () => {
        const visible = document.visibilityState === 'visible';
        this.client.setPresence(visible ? 'online' : 'idle');
        if (visible && this.state.active) this.markSeen(this.state.active);
      };
      window.addEventListener('online', online);
      window.addEventListener('offline', offline);
      document.addEventListener('visibilitychange', visibility);
      on.push(
        () => window.removeEventListener('online', online),
        () => window.removeEventListener('offline', offline),
        () => document.removeEventListener('visibilitychange', visibility),
      );
    }
  }

  /** The network is back: try at once instead of waiting out the backoff. */
  private reconnectNow(): void {
    if (this.client.state === 'open') return;
    this.client.close();
    void this.client.connect();
    this.dispatch({ type: 'connection', status: 'connecting' });
  }

  /** After (re)connecting: catch up on what live frames do not replay (edits, renames, receipts). */
  private async resync(): Promise<void> {
    this.syncs += 1;
    const active = this.state.active;
    // The first connection follows the start's fresh reads; later ones catch up.
    if (this.syncs === 1) {
      if (active) void this.seed(active);
      return;
    }
    if (active && this.state.timelines[active]?.loaded) await this.loadNewest(active, 'refresh');
    if (active) void this.seed(active);
    try {
      const list = await this.client.conversations();
      const current = new Set(list.map((c) => c.id));
      for (const conversation of list) {
        const seen = conversation.id === active && this.isViewing(conversation.id);
        this.dispatch({
          type: 'conversation',
          conversation: seen ? { ...conversation, unreadCount: 0 } : conversation,
        });
      }
      for (const id of Object.keys(this.state.conversations)) {
        if (!current.has(id) && !this.state.conversations[id]?.removed) {
          this.dispatch({ type: 'conversationRemoved', conversationId: id });
        }
      }
    } catch {
      // the next reconnect tries again
    }
  }

  private refreshPending(): void {
    this.dispatch({ type: 'pending', pending: this.client.pendingSends() });
  }

  private onMessage(message: Message): void {
    const ids = [message.senderId];
    if (message.system?.targetId) ids.push(message.system.targetId);
    void this.ensureUsers(ids);
    const id = message.conversationId;
    const deliver = () => {
      const entry = this.state.conversations[id];
      const isNew = !entry || message.seq > entry.conversation.lastSeq;
      this.dispatch({ type: 'message', message, countUnread: isNew && !this.isViewing(id) });
      if (this.isViewing(id)) this.markSeen(id);
    };
    const fetching = this.conversationFetches.get(id);
    if (this.state.conversations[id] && !fetching) {
      deliver();
      return;
    }
    // A conversation we did not know yet (a new chat): read it first, keep the order.
    const ready =
      fetching ??
      this.client
        .conversation(id)
        .then((conversation) => {
          this.dispatch({ type: 'conversation', conversation });
          this.watchPartner(conversation);
        })
        .catch(() => undefined)
        .finally(() => this.conversationFetches.delete(id));
    const next = ready.then(deliver);
    this.conversationFetches.set(id, next);
  }

  /** A direct chat appeared: show whether its other member is online. */
  private watchPartner(conversation: Conversation): void {
    const other = otherMemberId(conversation, this.state.me?.id);
    if (other && !this.state.presence[other]) void this.loadPresence(other);
  }

  typing(conversationId: string): void {
    this.client.typing(conversationId);
  }

  stopTyping(conversationId: string): void {
    this.client.stopTyping(conversationId);
  }

  /** Queues a message in the SDK outbox: it shows at once with a clock and goes out when connected. */
  send(conversationId: string, text: string, replyToId: string | null = null): void {
    const content = text.trim();
    if (!content) return;
    const clientMsgId = newClientMsgId();
    const sent = this.client.send(conversationId, content, { clientMsgId, ...(replyToId ? { replyToId } : {}) });
    this.refreshPending();
    sent.catch((error: unknown) => {
      if (!this.state.failed.some((f) => f.clientMsgId === clientMsgId)) this.fail(error, 'Message not sent');
    });
  }

  /** Queues a media message (already uploaded) with an optional caption. */
  sendMedia(
    conversationId: string,
    mediaId: string,
    messageType: 'image' | 'video' | 'file',
    caption: string,
    replyToId: string | null = null,
  ): void {
    const clientMsgId = newClientMsgId();
    const sent = this.client.send(conversationId, caption.trim(), {
      clientMsgId,
      mediaId,
      messageType,
      ...(replyToId ? { replyToId } : {}),
    });
    this.refreshPending();
    sent.catch((error: unknown) => {
      if (!this.state.failed.some((f) => f.clientMsgId === clientMsgId)) this.fail(error, 'Attachment not sent');
    });
  }

  retryFailed(clientMsgId: string): void {
    const failed = this.state.failed.find((f) => f.clientMsgId === clientMsgId);
    if (!failed) return;
    this.dispatch({ type: 'dismissFailed', clientMsgId });
    if (failed.mediaId) {
      const type = failed.messageType === 'image' || failed.messageType === 'video' ? failed.messageType : 'file';
      this.sendMedia(failed.conversationId, failed.mediaId, type, failed.content, failed.replyToId);
      return;
    }
    this.send(failed.conversationId, failed.content, failed.replyToId);
  }

  discardFailed(clientMsgId: string): void {
    this.dispatch({ type: 'dismissFailed', clientMsgId });
  }
}
