/** The conversations, newest activity first; arrow keys move between them. */
import type { KeyboardEvent } from 'react';
import { fold } from '../lib/highlight.js';
import { conversationTitle } from '../lib/names.js';
import { ArchivedEntry } from '../pins/ArchivedEntry.js';
import { arrangeChats } from '../pins/arrange.js';
import { usePins } from '../pins/state.js';
import { useAppState, useNow, useSession } from '../session/context.js';
import { selectConversationList } from '../state/selectors.js';
import { ConversationItem } from './ConversationItem.js';

function moveFocus(event: KeyboardEvent<HTMLUListElement>) {
  if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
  const links = [...event.currentTarget.querySelectorAll<HTMLElement>('a.conversation')];
  const index = links.indexOf(document.activeElement as HTMLElement);
  if (index < 0) return;
  event.preventDefault();
  links[Math.max(0, Math.min(links.length - 1, index + (event.key === 'ArrowDown' ? 1 : -1)))]?.focus();
}

export function ConversationList({ filter }: { filter: string }) {
  const session = useSession();
  const all = useAppState(selectConversationList);
  // Pinned first, archived ones apart (src/pins): the list as this user arranged it.
  const chats = usePins((s) => s.chats);
  const showArchived = usePins((s) => s.showArchived);
  const list = arrangeChats(all, chats, showArchived);
  const users = useAppState((s) => s.users);
  const meId = useAppState((s) => s.me?.id);
  const now = useNow(60_000);
  const query = fold(filter.trim());
  const shown = query ? list.filter((e) => fold(conversationTitle(e.conversation, users, meId)).includes(query)) : list;

  if (list.length === 0 && (showArchived || all.length > 0)) {
    return (
      <>
        <ArchivedEntry />
        <p className="list-empty muted">{showArchived ? 'No archived chats.' : 'All your chats are archived.'}</p>
      </>
    );
  }
  if (list.length === 0) {
    return (
      <div className="list-empty">
        <p>No chats yet.</p>
        <button
          type="button"
          className="button primary"
          onClick={() => session.dispatch({ type: 'drawer', drawer: { kind: 'newChat' } })}
        >
          Start a chat
        </button>
      </div>
    );
  }
  if (shown.length === 0) return <p className="list-empty muted">No chats match “{filter.trim()}”.</p>;
  return (
    <nav className="conversation-scroll" aria-label={showArchived ? 'Archived conversations' : 'Conversations'}>
      <ArchivedEntry />
      <ul className="conversation-list" onKeyDown={moveFocus}>
        {shown.map((entry) => (
          <ConversationItem key={entry.conversation.id} entry={entry} now={now} />
        ))}
      </ul>
    </nav>
  );
}
