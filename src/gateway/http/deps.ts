import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Accounts } from '../../domain/accounts.js';
import type { Channels } from '../../domain/channels.js';
import type { ChatStates } from '../../domain/chat-states.js';
import type { Conversations } from '../../domain/conversations.js';
import type { Messaging } from '../../domain/messages.js';
import type { PinnedMessages } from '../../domain/pinned-messages.js';
import type { Reactions } from '../../domain/reactions.js';
import type { MediaService } from '../../media/service.js';
import type { Metrics } from '../../observability/metrics.js';
import type { LinkPreviews } from '../../previews/service.js';
import type { PushService } from '../../push/service.js';

/** What the REST routes need from the node. */
export interface HttpDeps {
  accounts: Accounts;
  conversations: Conversations;
  messaging: Messaging;
  /** Pinned and archived chats per user (src/domain/chat-states.ts). */
  chatStates: ChatStates;
  /** Pinned messages per conversation (src/domain/pinned-messages.ts). */
  pinnedMessages: PinnedMessages;
  /** Reactions (src/domain/reactions.ts); without it those routes are not served. */
  reactions?: Reactions;
  /** Broadcast channels; without it the channel routes are not served. */
  channels?: Channels;
  /** Uploads and downloads; without it the media routes are not served. */
  media?: MediaService;
  /** Link previews: serves their images; without it that route is not served. */
  previews?: LinkPreviews;
  metrics: Metrics;
  /** Push targets, mutes and notification settings; without it those routes are not served. */
  push?: PushService;
  /** Resolves when storage (and later the bus) answer; rejects otherwise. */
  checkReady(): Promise<void>;
  /** True once the node has begun draining. */
  isDraining(): boolean;
}

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** A group of routes; authenticated routes register under a scope with the auth hook. */
export type RouteGroup = (app: App, deps: HttpDeps) => void;
