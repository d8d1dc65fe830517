/**
 * Link previews in the client's state: a live `message:preview` patches the
 * message in its timeline (and the chat list's last message), and an edit
 * (whose message the server sends without the preview) keeps the one it had.
 */
import type { LinkPreview, Message } from '../../../sdk/index.js';
import type { AppState } from '../state/types.js';

export function applyPreview(
  state: AppState,
  conversationId: string,
  messageId: string,
  preview: LinkPreview,
): AppState {
  const timeline = state.timelines[conversationId];
  const index = timeline ? timeline.messages.findIndex((m) => m.id === messageId) : -1;
  const entry = state.conversations[conversationId];
  const last = entry?.lastMessage?.id === messageId ? entry.lastMessage : null;
  if (index < 0 && !last) return state;
  let timelines = state.timelines;
  if (timeline && index >= 0) {
    const messages = timeline.messages.slice();
    messages[index] = withPreview(messages[index] as Message, preview);
    timelines = { ...timelines, [conversationId]: { ...timeline, messages } };
  }
  const conversations =
    entry && last
      ? { ...state.conversations, [conversationId]: { ...entry, lastMessage: withPreview(last, preview) } }
      : state.conversations;
  return { ...state, timelines, conversations };
}

function withPreview(message: Message, preview: LinkPreview): Message {
  return message.deletedAt ? message : { ...message, preview };
}

/** An update without a preview keeps the earlier one, unless it deleted the message. */
export function keepPreview(previous: Message | undefined, updated: Message): Message {
  if (updated.preview || updated.deletedAt || !previous?.preview) return updated;
  return { ...updated, preview: previous.preview };
}
