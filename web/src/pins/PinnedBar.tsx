/**
 * The bar at the top of a chat with its pinned messages: shows one (the newest
 * first); a click jumps to it, and moves on to the next one when there are several.
 */
import { useEffect, useState } from 'react';
import type { PinnedMessage } from '../../../sdk/index.js';
import { Icon } from '../components/Icon.js';
import { mediaLabel } from '../media/format.js';
import { useSession } from '../session/context.js';
import { loadPinnedMessages } from './actions.js';
import { usePins } from './state.js';
import './pins.css';

const NONE: readonly PinnedMessage[] = [];

function pinText(pin: PinnedMessage): string {
  const text = pin.message.content.replace(/\s+/g, ' ').trim();
  return text || mediaLabel(pin.message.type, pin.message.media?.fileName) || 'Message';
}

export function PinnedBar({ conversationId }: { conversationId: string }) {
  const session = useSession();
  const pins = usePins((s) => s.messages[conversationId] ?? NONE);
  const [index, setIndex] = useState(0);

  useEffect(() => {
    void loadPinnedMessages(session, conversationId);
  }, [session, conversationId]);

  const pin = pins[Math.min(index, pins.length - 1)];
  if (!pin) return null;
  const jump = () => {
    void session.openAt(conversationId, pin.message.id, pin.message.seq);
    setIndex((i) => (i + 1) % pins.length);
  };
  return (
    <button
      type="button"
      className="pinned-bar"
      data-testid="pinned-bar"
      onClick={jump}
      aria-label={`Pinned message: ${pinText(pin)}. Show it in the chat`}
    >
      <Icon name="pin" size={18} />
      <span className="pinned-bar-text">
        {pins.length > 1 && (
          <span className="pinned-bar-count">
            {Math.min(index, pins.length - 1) + 1}/{pins.length}
          </span>
        )}
        <span className="pinned-bar-content">{pinText(pin)}</span>
      </span>
    </button>
  );
}
