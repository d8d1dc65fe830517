/** The "@" badge of a chat-list row: unread messages there mention me. */
import { useSyncExternalStore } from 'react';
import { mentionCounts } from './state.js';
import './mentions.css';

export function useMentionCount(conversationId: string): number {
  return useSyncExternalStore(mentionCounts.subscribe, () => mentionCounts.get()[conversationId] ?? 0);
}

export function MentionBadge({ conversationId }: { conversationId: string }) {
  const count = useMentionCount(conversationId);
  if (count === 0) return null;
  return (
    <span
      className="badge mention-badge"
      data-testid="mention-badge"
      title={`${count} unread mention${count > 1 ? 's' : ''}`}
    >
      @<span className="visually-hidden"> {count} unread mentions</span>
    </span>
  );
}
