/** The pin shown on a pinned chat's row in the list. */
import { Icon } from '../components/Icon.js';
import { usePins } from './state.js';
import './pins.css';

export function PinMark({ conversationId }: { conversationId: string }) {
  const pinned = usePins((s) => s.chats[conversationId]?.pinned ?? false);
  if (!pinned) return null;
  return (
    <span className="pin-mark" data-testid="pin-mark" title="Pinned">
      <Icon name="pin" size={16} />
      <span className="visually-hidden">, pinned</span>
    </span>
  );
}
