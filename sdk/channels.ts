/** Broadcast channels for SDK users: the REST calls of docs/PROTOCOL.md, "Channels". */
import type { z } from 'zod';
import type { ChannelReaders, createChannelBody } from '../src/protocol/channels.js';
import type { Conversation, MemberRole } from '../src/protocol/dto.js';
import { apiRequest, type FetchLike } from './rest.js';

export type CreateChannelInput = z.input<typeof createChannelBody>;
export type { ChannelReaders };

const enc = encodeURIComponent;

/** The channel routes; build it with the same base URL and token as the client. */
export class ChatChannels {
  constructor(private readonly options: { baseUrl: string; token: string; fetch?: FetchLike }) {}

  async create(input: CreateChannelInput): Promise<Conversation> {
    return (await this.call<{ conversation: Conversation }>('POST', '/channels', input)).conversation;
  }

  /** Public channels whose name starts with `prefix`. */
  async search(prefix: string, limit = 20): Promise<Conversation[]> {
    return (await this.call<{ channels: Conversation[] }>('GET', '/channels', undefined, { search: prefix, limit }))
      .channels;
  }

  async join(channelId: string): Promise<Conversation> {
    return (await this.call<{ conversation: Conversation }>('POST', `/channels/${enc(channelId)}/join`)).conversation;
  }

  /** Leaves (the caller's own id) or, for admins, removes a member. */
  async remove(channelId: string, userId: string): Promise<void> {
    await this.call('DELETE', `/channels/${enc(channelId)}/members/${enc(userId)}`);
  }

  async addMembers(channelId: string, userIds: string[]): Promise<{ added: string[]; conversation: Conversation }> {
    return this.call('PUT', `/channels/${enc(channelId)}/members`, { userIds });
  }

  async setRole(channelId: string, userId: string, role: MemberRole): Promise<Conversation> {
    const path = `/channels/${enc(channelId)}/members/${enc(userId)}/role`;
    return (await this.call<{ conversation: Conversation }>('PUT', path, { role })).conversation;
  }

  /** Admins only: how many members have read up to each seq. */
  readers(channelId: string, seqs: readonly number[]): Promise<ChannelReaders> {
    return this.call('GET', `/channels/${enc(channelId)}/readers`, undefined, { seqs: seqs.join(',') });
  }

  private call<T>(method: string, path: string, body?: unknown, query?: Record<string, string | number>): Promise<T> {
    return apiRequest<T>(this.options, method, path, body, query);
  }
}
