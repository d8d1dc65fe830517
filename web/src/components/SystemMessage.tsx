/** A membership change ("Alice added Bob"), centred in the chat. */
import type { Message } from '../../../sdk/index.js';
import { systemText } from '../lib/names.js';
import { useAppState } from '../session/context.js';

export function SystemMessage({ message }: { message: Message }) {
  const users = useAppState((s) => s.users);
  const meId = useAppState((s) => s.me?.id);
  return (
    <div className="system-message" data-message-id={message.id}>
      <span>{systemText(message, users, meId)}</span>
    </div>
  );
}
