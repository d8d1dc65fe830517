/** One search hit: where, who, when, and the text with the query's words highlighted. */
import type { Message } from '../../../sdk/index.js';
import { highlight, snippet } from '../lib/highlight.js';
import { conversationTitle, personName } from '../lib/names.js';
import { formatListTime } from '../lib/time.js';
import { useAppState, useNow } from '../session/context.js';

interface SearchResultProps {
  message: Message;
  query: string;
  showConversation: boolean;
  onOpen(message: Message): void;
}

export function SearchResult({ message, query, showConversation, onOpen }: SearchResultProps) {
  const users = useAppState((s) => s.users);
  const meId = useAppState((s) => s.me?.id);
  const entry = useAppState((s) => s.conversations[message.conversationId]);
  const now = useNow(60_000);
  const where = entry ? conversationTitle(entry.conversation, users, meId) : 'Chat';
  const who = personName(message.senderId, users, meId);
  const segments = highlight(snippet(message.content, query), query);
  return (
    <li>
      <button type="button" className="search-result" onClick={() => onOpen(message)}>
        <span className="search-result-head">
          <span className="search-result-where">{showConversation ? where : who}</span>
          <time dateTime={message.createdAt}>{formatListTime(message.createdAt, now)}</time>
        </span>
        <span className="search-result-text">
          {showConversation && entry?.conversation.type === 'group' && <span className="muted">{who}: </span>}
          {showConversation && entry?.conversation.type !== 'group' && who === 'You' && (
            <span className="muted">You: </span>
          )}
          {segments.map((s, i) =>
            s.hit ? (
              // biome-ignore lint/suspicious/noArrayIndexKey: segments are positional and never reorder
              <mark key={i}>{s.text}</mark>
            ) : (
              // biome-ignore lint/suspicious/noArrayIndexKey: segments are positional and never reorder
              <span key={i}>{s.text}</span>
            ),
          )}
        </span>
      </button>
    </li>
  );
}
