/** Start a direct chat: contacts first, or search all users by username. */
import { useEffect } from 'react';
import type { User } from '../../../sdk/index.js';
import { conversationPath, navigate } from '../lib/router.js';
import { useAppState, useSession } from '../session/context.js';
import { Icon } from './Icon.js';
import { PanelFrame } from './PanelFrame.js';
import { UserPicker } from './UserPicker.js';

export function NewChatPanel({ onClose }: { onClose(): void }) {
  const session = useSession();
  const contactIds = useAppState((s) => s.contacts);
  const users = useAppState((s) => s.users);

  useEffect(() => {
    if (contactIds === null) void session.loadContacts();
  }, [contactIds, session]);

  const contacts = (contactIds ?? []).map((id) => users[id]).filter((u): u is User => Boolean(u));
  const start = async (user: User) => {
    try {
      const id = await session.startDirect(user.id);
      onClose();
      navigate(conversationPath(id));
    } catch {
      // the notice says why
    }
  };

  return (
    <PanelFrame title="New chat" onClose={onClose} closeIcon="back">
      <button
        type="button"
        className="list-action"
        onClick={() => session.dispatch({ type: 'drawer', drawer: { kind: 'newGroup' } })}
      >
        <span className="list-action-icon">
          <Icon name="group" />
        </span>
        New group
      </button>
      <UserPicker
        label="Search users by username"
        actionLabel="Chat with"
        initial={contacts}
        onPick={start}
        autoFocus
      />
      {contacts.length > 0 && <p className="muted small pad">Your contacts are listed until you search.</p>}
    </PanelFrame>
  );
}
