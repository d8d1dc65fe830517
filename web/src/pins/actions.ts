/** What the pin and archive controls do: a REST call, its answer into the pins store, a notice when refused. */
import { ChatRest, type ChatSettings } from '../../../sdk/index.js';
import type { Session } from '../session/session.js';
import { pinsStore } from './state.js';

function rest(session: Session): ChatRest {
  return new ChatRest({ baseUrl: session.baseUrl, token: session.token });
}

async function attempt<T>(session: Session, what: string, call: () => Promise<T>): Promise<T | null> {
  try {
    return await call();
  } catch (error) {
    // The server's own words say why (e.g. "you can pin at most 3 chats; unpin one first").
    session.dispatch({ type: 'notice', text: `${what}: ${error instanceof Error ? error.message : String(error)}` });
    return null;
  }
}

export async function setChatPinned(session: Session, conversationId: string, pinned: boolean): Promise<void> {
  const api = rest(session);
  const state = await attempt(session, pinned ? 'Could not pin the chat' : 'Could not unpin the chat', () =>
    pinned ? api.pinChat(conversationId) : api.unpinChat(conversationId),
  );
  if (state) pinsStore.setChat(state);
}

export async function setChatArchived(session: Session, conversationId: string, archived: boolean): Promise<void> {
  const api = rest(session);
  const state = await attempt(session, archived ? 'Could not archive the chat' : 'Could not unarchive the chat', () =>
    archived ? api.archiveChat(conversationId) : api.unarchiveChat(conversationId),
  );
  if (!state) return;
  pinsStore.setChat(state);
  session.dispatch({ type: 'notice', text: archived ? 'Chat archived' : 'Chat unarchived' });
}

export async function loadPinnedMessages(session: Session, conversationId: string): Promise<void> {
  try {
    pinsStore.setMessages(conversationId, await rest(session).pinnedMessages(conversationId));
  } catch {
    // Not a member any more, or offline: the bar stays as it was; a live event fills it in.
  }
}

export async function setMessagePinned(
  session: Session,
  conversationId: string,
  messageId: string,
  pinned: boolean,
): Promise<void> {
  const api = rest(session);
  const pins = await attempt(session, pinned ? 'Could not pin the message' : 'Could not unpin the message', () =>
    pinned ? api.pinMessage(conversationId, messageId) : api.unpinMessage(conversationId, messageId),
  );
  if (pins) pinsStore.setMessages(conversationId, pins);
}

export function chatSettings(session: Session): Promise<ChatSettings> {
  return rest(session).chatSettings();
}

export function updateChatSettings(session: Session, settings: ChatSettings): Promise<ChatSettings> {
  return rest(session).updateChatSettings(settings);
}
