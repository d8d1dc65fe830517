/** Message search, across all chats (sidebar) or within one (beside the chat); hits open the chat at the message. */
import { useEffect, useId, useState } from 'react';
import type { Message } from '../../../sdk/index.js';
import { conversationTitle } from '../lib/names.js';
import { conversationPath, navigate } from '../lib/router.js';
import { useAppState, useSession } from '../session/context.js';
import { PanelFrame } from './PanelFrame.js';
import { SearchResult } from './SearchResult.js';

interface SearchPanelProps {
  /** null: every conversation. */
  conversationId: string | null;
  onClose(): void;
}

interface Results {
  query: string;
  messages: Message[];
  nextCursor: string | null;
}

export function SearchPanel({ conversationId, onClose }: SearchPanelProps) {
  const session = useSession();
  const users = useAppState((s) => s.users);
  const meId = useAppState((s) => s.me?.id);
  const entry = useAppState((s) => (conversationId ? s.conversations[conversationId] : undefined));
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<Results | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const id = useId();

  useEffect(() => {
    const q = query.trim();
    if (!q) {
      setResults(null);
      setBusy(false);
      return;
    }
    let current = true;
    setBusy(true);
    const timer = setTimeout(() => {
      session.searchMessages(q, conversationId ? { conversationId } : {}).then(
        (page) => {
          if (!current) return;
          setResults({ query: q, messages: page.messages, nextCursor: page.nextCursor });
          setError('');
          setBusy(false);
        },
        () => {
          if (!current) return;
          setError('Search failed. Are you online?');
          setBusy(false);
        },
      );
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [query, conversationId, session]);

  const more = async () => {
    if (!results?.nextCursor) return;
    const page = await session.searchMessages(results.query, {
      ...(conversationId ? { conversationId } : {}),
      cursor: results.nextCursor,
    });
    setResults({ ...results, messages: [...results.messages, ...page.messages], nextCursor: page.nextCursor });
  };

  const open = (message: Message) => {
    if (conversationId && window.matchMedia?.('(max-width: 760px)').matches) onClose();
    void session.openAt(message.conversationId, message.id, message.seq);
    navigate(conversationPath(message.conversationId));
  };

  const scope = entry ? conversationTitle(entry.conversation, users, meId) : null;
  return (
    <PanelFrame
      title={scope ? 'Search in chat' : 'Search messages'}
      onClose={onClose}
      closeIcon={scope ? 'close' : 'back'}
    >
      <label htmlFor={id} className="visually-hidden">
        {scope ? `Search messages in ${scope}` : 'Search messages in all chats'}
      </label>
      <input
        id={id}
        type="search"
        className="search-input"
        placeholder={scope ? `Search in ${scope}` : 'Search all messages'}
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        maxLength={256}
        data-autofocus=""
      />
      <p className="muted small pad" role="status" aria-live="polite">
        {busy
          ? 'Searching…'
          : error ||
            (results
              ? results.messages.length === 0
                ? `No messages found for “${results.query}”.`
                : `${results.messages.length}${results.nextCursor ? '+' : ''} message${results.messages.length === 1 ? '' : 's'} found`
              : 'Words match from their start: “clim” finds “climbing”.')}
      </p>
      {results && results.messages.length > 0 && (
        <ul className="search-results">
          {results.messages.map((m) => (
            <SearchResult
              key={m.id}
              message={m}
              query={results.query}
              showConversation={!conversationId}
              onOpen={open}
            />
          ))}
        </ul>
      )}
      {results?.nextCursor && (
        <button
          type="button"
          className="button wide"
          onClick={() => void more().catch(() => setError('Could not load more.'))}
        >
          Show more
        </button>
      )}
    </PanelFrame>
  );
}
