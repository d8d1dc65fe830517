/** The quoted message above a reply; clicking it scrolls to the original when it is loaded. */
import type { Message } from '../../../sdk/index.js';
import { hueOf, personName } from '../lib/names.js';
import { useAppState } from '../session/context.js';

interface ReplyQuoteProps {
  original: Message | undefined;
  onJump?(messageId: string): void;
}

export function ReplyQuote({ original, onJump }: ReplyQuoteProps) {
  const users = useAppState((s) => s.users);
  const meId = useAppState((s) => s.me?.id);
  if (!original) {
    return <div className="reply-quote muted">Reply to an earlier message</div>;
  }
  const name = personName(original.senderId, users, meId);
  const text = original.deletedAt ? 'This message was deleted' : original.content;
  return (
    <button
      type="button"
      className="reply-quote"
      style={{ borderColor: `hsl(${hueOf(original.senderId)} 55% 45%)` }}
      onClick={() => onJump?.(original.id)}
      aria-label={`Reply to ${name}: ${text}. Show the original message`}
    >
      <span className="reply-quote-name" style={{ color: `hsl(${hueOf(original.senderId)} 55% 40%)` }}>
        {name}
      </span>
      <span className="reply-quote-text">{text}</span>
    </button>
  );
}
