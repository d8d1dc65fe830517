/** The chat SDK: `ChatClient` and the types it speaks. Runs in browsers and Node 20 (with `ws`). */
export { Backoff, type BackoffOptions } from './backoff.js';
export { type ChannelReaders, ChatChannels, type CreateChannelInput } from './channels.js';
export { ChatClient, type ChatClientOptions } from './client.js';
export type { ConnectionState, DownInfo } from './connection.js';
export { ChatApiError, type ChatApiErrorCode, isRetryable } from './errors.js';
export { type ChatEventMap, Emitter, type Listener, type ReceiptEvent } from './events.js';
export type { PendingSend, SendOptions } from './outbox.js';
export * from './pins.js';
export * from './protocol.js';
export { ReorderBuffer, type ReorderOptions } from './reorder.js';
export {
  type AuthResult,
  ChatRest,
  type FetchLike,
  type HistoryPage,
  newClientMsgId,
  type RestSendOptions,
  type SearchPage,
} from './rest.js';
export type { WebSocketConstructor, WebSocketLike } from './socket.js';
export type { ChatStorage } from './storage.js';
