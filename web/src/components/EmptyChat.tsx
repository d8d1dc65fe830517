/** The chat pane before a chat is chosen (wide screens). */
import { Icon } from './Icon.js';

export function EmptyChat() {
  return (
    <div className="empty-chat">
      <div className="empty-chat-art" aria-hidden="true">
        <Icon name="newChat" size={56} />
      </div>
      <h2>Your messages</h2>
      <p className="muted">Pick a chat on the left, or start a new one.</p>
      <p className="muted small">
        <Icon name="lock" size={14} /> Your messages live on your own server.
      </p>
    </div>
  );
}
