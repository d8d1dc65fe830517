/** Size limits shared by the server's validation and the clients. */
export const LIMITS = {
  /** Largest JSON request body. */
  jsonBodyBytes: 1024 * 1024,
  /** Largest message text, in UTF-8 bytes. */
  messageContentBytes: 64 * 1024,
  clientMsgIdLength: 128,
  displayNameLength: 64,
  groupNameLength: 128,
  urlLength: 2048,
  passwordMinLength: 8,
  /** argon2 hashes any length, but an unbounded password is a cheap CPU attack. */
  passwordMaxLength: 256,
  historyPageMax: 200,
  historyPageDefault: 50,
  searchPageMax: 100,
  searchPageDefault: 20,
  searchQueryLength: 256,
  userSearchLimit: 20,
  /** Conversations one `sync` frame may name. */
  syncConversationsMax: 10_000,
  /** Distinct users one message may @mention; further names are ignored. */
  mentionsPerMessage: 32,
  /** Conversations one forward may target. */
  forwardTargetsMax: 5,
  /** Largest WebSocket frame a client may send. */
  wsFrameBytes: 64 * 1024,
} as const;
