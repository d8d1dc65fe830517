/**
 * Typed REST helpers for the contract's routes, over the global `fetch`.
 * Every non-2xx answer throws a `ChatApiError` built from the error body.
 */
import type { z } from 'zod';
import { ChatApiError } from './errors.js';
import type {
  ChatSettings,
  ChatState,
  ConversationList,
  ConversationListFilter,
  ConversationListItem,
  PinnedMessage,
} from './pins.js';
import type {
  addMemberBody,
  Conversation,
  createGroupBody,
  ForwardResult,
  ForwardTarget,
  historyQuery,
  loginBody,
  Me,
  MemberRole,
  Message,
  MessageType,
  Presence,
  patchGroupBody,
  patchMeBody,
  ReactionOutcome,
  Reactor,
  Receipt,
  registerBody,
  searchQuery,
  User,
} from './protocol.js';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;
export type RegisterInput = z.input<typeof registerBody>;
export type LoginInput = z.input<typeof loginBody>;
export type PatchMeInput = z.input<typeof patchMeBody>;
export type PatchGroupInput = z.input<typeof patchGroupBody>;
export type CreateGroupInput = z.input<typeof createGroupBody>;
export type HistoryOptions = Partial<z.input<typeof historyQuery>>;
export type SearchOptions = Omit<Partial<z.input<typeof searchQuery>>, 'q'>;

export interface AuthResult {
  user: User;
  token: string;
}

export interface HistoryPage {
  messages: Message[];
  hasMore: boolean;
}

export interface SearchPage {
  messages: Message[];
  nextCursor: string | null;
}

export interface RestSendOptions {
  clientMsgId?: string;
  type?: Exclude<MessageType, 'system'>;
  mediaId?: string | null;
  replyToId?: string | null;
}

export interface RestOptions {
  baseUrl: string;
  token: string;
  fetch?: FetchLike;
}

type Query = Record<string, string | number | undefined>;

const defaultFetch: FetchLike = (input, init) => globalThis.fetch(input, init);

/** One HTTP call to `/api/v1{path}`; the parsed JSON answer, or a ChatApiError. */
export async function apiRequest<T>(
  options: { baseUrl: string; token?: string; fetch?: FetchLike },
  method: string,
  path: string,
  body?: unknown,
  query?: Query,
): Promise<T> {
  let url = `${options.baseUrl.replace(/\/+$/, '')}/api/v1${path}`;
  const params = Object.entries(query ?? {}).filter(
    (entry): entry is [string, string | number] => entry[1] !== undefined,
  );
  if (params.length > 0) url += `?${new URLSearchParams(params.map(([k, v]) => [k, String(v)])).toString()}`;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await (options.fetch ?? defaultFetch)(url, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new ChatApiError(0, 'network_error', error instanceof Error ? error.message : String(error));
  }
  const text = await response.text().catch(() => '');
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (response.ok) return parsed as T;
  const error = (parsed as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const retryAfter = Number(response.headers.get('retry-after') ?? Number.NaN);
  throw new ChatApiError(
    response.status,
    typeof error?.code === 'string' ? (error.code as ChatApiError['code']) : 'bad_response',
    typeof error?.message === 'string' ? error.message : `HTTP ${response.status}`,
    Number.isFinite(retryAfter) ? retryAfter : undefined,
  );
}

const enc = encodeURIComponent;

/** The REST half of the client; `ChatClient` extends it with the real-time half. */
export class ChatRest {
  protected readonly baseUrl: string;
  protected token: string;
  protected readonly fetchImpl: FetchLike | undefined;
  /** The caller's user id, once known (from `hello` or `me()`). */
  userId: string | null = null;

  constructor(options: RestOptions) {
    this.baseUrl = options.baseUrl;
    this.token = options.token;
    this.fetchImpl = options.fetch;
  }

  static register(baseUrl: string, body: RegisterInput, fetch?: FetchLike): Promise<AuthResult> {
    return apiRequest<AuthResult>({ baseUrl, fetch }, 'POST', '/auth/register', body);
  }

  static login(baseUrl: string, body: LoginInput, fetch?: FetchLike): Promise<AuthResult> {
    return apiRequest<AuthResult>({ baseUrl, fetch }, 'POST', '/auth/login', body);
  }

  /** A new token (after login again); the next connection attempt uses it. */
  setToken(token: string): void {
    this.token = token;
  }

  protected request<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
    return apiRequest<T>(
      { baseUrl: this.baseUrl, token: this.token, fetch: this.fetchImpl },
      method,
      path,
      body,
      query,
    );
  }

  // Users
  async me(): Promise<Me> {
    const me = await this.request<Me>('GET', '/users/me');
    this.userId = me.user.id;
    return me;
  }

  updateMe(patch: PatchMeInput): Promise<Me> {
    return this.request<Me>('PATCH', '/users/me', patch);
  }

  async user(userId: string): Promise<User> {
    return (await this.request<{ user: User }>('GET', `/users/${enc(userId)}`)).user;
  }

  async searchUsers(prefix: string): Promise<User[]> {
    return (await this.request<{ users: User[] }>('GET', '/users', undefined, { search: prefix })).users;
  }

  presence(userId: string): Promise<Presence> {
    return this.request<Presence>('GET', `/users/${enc(userId)}/presence`);
  }

  async contacts(): Promise<User[]> {
    return (await this.request<{ users: User[] }>('GET', '/users/me/contacts')).users;
  }

  async addContact(userId: string): Promise<void> {
    await this.request('PUT', `/users/me/contacts/${enc(userId)}`);
  }

  async removeContact(userId: string): Promise<void> {
    await this.request('DELETE', `/users/me/contacts/${enc(userId)}`);
  }

  /** The users the caller has blocked, oldest block first. */
  async blocked(): Promise<User[]> {
    return (await this.request<{ users: User[] }>('GET', '/users/me/blocks')).users;
  }

  async block(userId: string): Promise<void> {
    await this.request('PUT', `/users/me/blocks/${enc(userId)}`);
  }

  async unblock(userId: string): Promise<void> {
    await this.request('DELETE', `/users/me/blocks/${enc(userId)}`);
  }

  // Conversations
  /**
   * The caller's conversations with its state of each (pinned, archived):
   * by default all of them, pinned first, then newest activity; `archived:
   * 'false'` the main list only, `'true'` the archived ones only.
   */
  async conversations(options: { archived?: ConversationListFilter } = {}): Promise<ConversationListItem[]> {
    return (await this.conversationList(options.archived ?? 'all')).conversations;
  }

  /** The list as the server answers it. */
  async conversationList(archived: ConversationListFilter = 'false'): Promise<ConversationList> {
    const userId = this.userId ?? (await this.me()).user.id;
    const path = `/users/${enc(userId)}/conversations`;
    return this.request<ConversationList>('GET', path, undefined, archived === 'false' ? {} : { archived });
  }

  async conversation(conversationId: string): Promise<Conversation> {
    const path = `/conversations/${enc(conversationId)}`;
    return (await this.request<{ conversation: Conversation }>('GET', path)).conversation;
  }

  /** The direct conversation with a user, created on first use. */
  async openDirect(userId: string): Promise<Conversation> {
    const body = { type: 'direct', userId };
    return (await this.request<{ conversation: Conversation }>('POST', '/conversations', body)).conversation;
  }

  /** A page of history in ascending seq: `after` or `before` a seq, or the newest page. */
  history(conversationId: string, options: HistoryOptions = {}): Promise<HistoryPage> {
    const query = { limit: options.limit, before: options.before, after: options.after } as Query;
    return this.request<HistoryPage>('GET', `/conversations/${enc(conversationId)}/messages`, undefined, query);
  }

  async createGroup(input: CreateGroupInput): Promise<Conversation> {
    return (await this.request<{ conversation: Conversation }>('POST', '/groups', input)).conversation;
  }

  async updateGroup(groupId: string, patch: PatchGroupInput): Promise<Conversation> {
    return (await this.request<{ conversation: Conversation }>('PATCH', `/groups/${enc(groupId)}`, patch)).conversation;
  }

  async addMember(
    groupId: string,
    userId: string,
    role?: z.input<typeof addMemberBody>['role'],
  ): Promise<Conversation> {
    const path = `/groups/${enc(groupId)}/members`;
    return (await this.request<{ conversation: Conversation }>('PUT', path, { userId, role })).conversation;
  }

  /** Removes a member (admins), or leaves when `userId` is the caller's own. */
  async removeMember(groupId: string, userId: string): Promise<Conversation> {
    const path = `/groups/${enc(groupId)}/members/${enc(userId)}`;
    return (await this.request<{ conversation: Conversation }>('DELETE', path)).conversation;
  }

  async setRole(groupId: string, userId: string, role: MemberRole): Promise<Conversation> {
    const path = `/groups/${enc(groupId)}/members/${enc(userId)}/role`;
    return (await this.request<{ conversation: Conversation }>('PUT', path, { role })).conversation;
  }

  // Messages
  /** Sends over REST (no outbox): idempotent by `clientMsgId`, random when not given. */
  async sendRest(conversationId: string, content: string, options: RestSendOptions = {}): Promise<Message> {
    const body = { conversationId, content, ...options, clientMsgId: options.clientMsgId ?? newClientMsgId() };
    return (await this.request<{ message: Message }>('POST', '/messages', body)).message;
  }

  /** Marks everything up to this message as read. */
  read(messageId: string): Promise<{ conversationId: string; seq: number }> {
    return this.request('POST', `/messages/${enc(messageId)}/read`);
  }

  async receipts(messageId: string): Promise<Receipt[]> {
    return (await this.request<{ receipts: Receipt[] }>('GET', `/messages/${enc(messageId)}/receipts`)).receipts;
  }

  async editMessage(messageId: string, content: string): Promise<Message> {
    return (await this.request<{ message: Message }>('PATCH', `/messages/${enc(messageId)}`, { content })).message;
  }

  async deleteMessage(messageId: string): Promise<Message> {
    return (await this.request<{ message: Message }>('DELETE', `/messages/${enc(messageId)}`)).message;
  }

  /** Sets the caller's one reaction on the message (replacing another); answers the message's counts. */
  react(messageId: string, emoji: string): Promise<ReactionOutcome> {
    return this.request<ReactionOutcome>('PUT', `/messages/${enc(messageId)}/reaction`, { emoji });
  }

  /** Removes the caller's reaction. */
  unreact(messageId: string): Promise<ReactionOutcome> {
    return this.request<ReactionOutcome>('DELETE', `/messages/${enc(messageId)}/reaction`);
  }

  /** Who reacted with what, oldest first. */
  async reactions(messageId: string, limit?: number): Promise<Reactor[]> {
    const path = `/messages/${enc(messageId)}/reactions`;
    return (await this.request<{ reactions: Reactor[] }>('GET', path, undefined, { limit })).reactions;
  }

  /**
   * Forwards a message to up to LIMITS.forwardTargetsMax conversations; the copies in target order.
   * A bare conversation id gets a fresh clientMsgId: to retry idempotently, pass the same targets again.
   */
  async forward(messageId: string, targets: readonly (string | ForwardTarget)[]): Promise<Message[]> {
    const body = {
      targets: targets.map((t) => (typeof t === 'string' ? { conversationId: t, clientMsgId: newClientMsgId() } : t)),
    };
    const path = `/messages/${enc(messageId)}/forward`;
    return (await this.request<ForwardResult>('POST', path, body)).messages;
  }

  /** Full-text search of the caller's messages, newest first. */
  search(q: string, options: SearchOptions = {}): Promise<SearchPage> {
    const query = { q, conversationId: options.conversationId, limit: options.limit, cursor: options.cursor } as Query;
    return this.request<SearchPage>('GET', '/search/messages', undefined, query);
  }

  // Pins and archive (docs/PROTOCOL.md, "Pins and archive")
  /** Pins (and unarchives) a conversation for the caller; at most 3: a fourth throws `conflict`. */
  async pinChat(conversationId: string): Promise<ChatState> {
    return (await this.request<{ state: ChatState }>('PUT', `/users/me/pinned-chats/${enc(conversationId)}`)).state;
  }

  async unpinChat(conversationId: string): Promise<ChatState> {
    return (await this.request<{ state: ChatState }>('DELETE', `/users/me/pinned-chats/${enc(conversationId)}`)).state;
  }

  /** Archives (and unpins) a conversation for the caller. */
  async archiveChat(conversationId: string): Promise<ChatState> {
    return (await this.request<{ state: ChatState }>('PUT', `/users/me/archived-chats/${enc(conversationId)}`)).state;
  }

  async unarchiveChat(conversationId: string): Promise<ChatState> {
    const path = `/users/me/archived-chats/${enc(conversationId)}`;
    return (await this.request<{ state: ChatState }>('DELETE', path)).state;
  }

  async chatSettings(): Promise<ChatSettings> {
    return (await this.request<{ settings: ChatSettings }>('GET', '/users/me/chat-settings')).settings;
  }

  async updateChatSettings(settings: ChatSettings): Promise<ChatSettings> {
    return (await this.request<{ settings: ChatSettings }>('PATCH', '/users/me/chat-settings', settings)).settings;
  }

  /** The conversation's pinned messages, newest pin first. */
  async pinnedMessages(conversationId: string): Promise<PinnedMessage[]> {
    const path = `/conversations/${enc(conversationId)}/pinned-messages`;
    return (await this.request<{ pins: PinnedMessage[] }>('GET', path)).pins;
  }

  /** Pins a message (group admins; either member of a direct chat); a fourth replaces the oldest. */
  async pinMessage(conversationId: string, messageId: string): Promise<PinnedMessage[]> {
    const path = `/conversations/${enc(conversationId)}/pinned-messages/${enc(messageId)}`;
    return (await this.request<{ pins: PinnedMessage[] }>('PUT', path)).pins;
  }

  async unpinMessage(conversationId: string, messageId: string): Promise<PinnedMessage[]> {
    const path = `/conversations/${enc(conversationId)}/pinned-messages/${enc(messageId)}`;
    return (await this.request<{ pins: PinnedMessage[] }>('DELETE', path)).pins;
  }
}

/**
 * A unique idempotency key. It starts with the time, so one sender's keys sort
 * in send order and the server's (sender, key) index grows at its end instead
 * of dirtying a random page on every send; 80 random bits keep it unique.
 */
export function newClientMsgId(): string {
  return `c-${Date.now().toString(36).padStart(9, '0')}-${randomHex(10)}`;
}

export function randomHex(bytes: number): string {
  const buffer = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(buffer);
  return Array.from(buffer, (b) => b.toString(16).padStart(2, '0')).join('');
}
