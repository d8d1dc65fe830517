/** The storage contract suites, for every Storage implementation. */

export { describeConversationStore } from './conversation-store.contract.js';
export { describeDeliveryStore } from './delivery-store.contract.js';
export type { OpenStorage, StorageHarness } from './harness.js';
export { describeMediaStore } from './media-store.contract.js';
export { describeMessageStore } from './message-store.contract.js';
export { describeUserStore } from './user-store.contract.js';
