/**
 * Under a message: its reaction chips (emoji and count; yours highlighted,
 * a tap toggles it) and a button opening a picker of common emojis.
 */
import { useEffect, useRef } from 'react';
import { ChatRest, type Message } from '../../../sdk/index.js';
import { useSession } from '../session/context.js';
import type { Session } from '../session/session.js';
import { reactionsStore, usePickerOpen, useReactions } from './state.js';
import './reactions.css';

export const QUICK_REACTIONS = ['👍', '❤️', '😂', '😮', '😢', '🙏'] as const;

async function setReaction(session: Session, messageId: string, emoji: string | null): Promise<void> {
  const api = new ChatRest({ baseUrl: session.baseUrl, token: session.token });
  try {
    const outcome = emoji === null ? await api.unreact(messageId) : await api.react(messageId, emoji);
    reactionsStore.setSummary(messageId, outcome.reactions);
  } catch (error) {
    session.dispatch({
      type: 'notice',
      text: `Could not react: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
}

export function ReactionBar({ message, own }: { message: Message; own: boolean }) {
  const session = useSession();
  const reactions = useReactions(message.id);
  const open = usePickerOpen(message.id);
  const root = useRef<HTMLDivElement>(null);
  const mine = reactions.find((r) => r.me)?.emoji ?? null;

  useEffect(() => {
    if (!open) return;
    const close = (event: MouseEvent) => {
      if (!root.current?.contains(event.target as Node)) reactionsStore.openPicker(null);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') reactionsStore.openPicker(null);
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  // Nothing to show: the picker opens from the message's menu ("React").
  if (reactions.length === 0 && !open) return null;

  const choose = (emoji: string) => {
    reactionsStore.openPicker(null);
    void setReaction(session, message.id, emoji === mine ? null : emoji);
  };

  return (
    <div className={`reaction-bar ${own ? 'own' : 'other'}${reactions.length > 0 ? ' has-reactions' : ''}`} ref={root}>
      {reactions.map((r) => (
        <button
          key={r.emoji}
          type="button"
          className={`reaction-chip${r.me ? ' mine' : ''}`}
          aria-pressed={r.me}
          aria-label={`${r.emoji} ${r.count}${r.me ? ', yours: remove' : ''}`}
          onClick={() => choose(r.emoji)}
        >
          <span className="reaction-emoji">{r.emoji}</span>
          <span className="reaction-count">{r.count}</span>
        </button>
      ))}
      <button
        type="button"
        className="reaction-add"
        aria-label="Add reaction"
        aria-expanded={open}
        title="React"
        onClick={() => reactionsStore.openPicker(open ? null : message.id)}
      >
        ☺︎+
      </button>
      {open && (
        <div className="reaction-picker" role="menu" aria-label="Reactions">
          {QUICK_REACTIONS.map((emoji) => (
            <button
              key={emoji}
              type="button"
              role="menuitem"
              className={emoji === mine ? 'mine' : ''}
              aria-label={`React ${emoji}`}
              onClick={() => choose(emoji)}
            >
              {emoji}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
