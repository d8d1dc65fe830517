/** Info on the other person of a direct chat: presence, contact and block. */
import { useEffect } from 'react';
import { otherMemberId } from '../lib/names.js';
import { formatLastSeen } from '../lib/time.js';
import { useAppState, useNow, useSession } from '../session/context.js';
import type { ConversationEntry } from '../state/types.js';
import { Avatar } from './Avatar.js';
import { Icon } from './Icon.js';
import { PanelFrame } from './PanelFrame.js';

export function ContactInfoPanel({ entry, onClose }: { entry: ConversationEntry; onClose(): void }) {
  const session = useSession();
  const meId = useAppState((s) => s.me?.id);
  const otherId = otherMemberId(entry.conversation, meId);
  const user = useAppState((s) => (otherId ? s.users[otherId] : undefined));
  const presence = useAppState((s) => (otherId ? s.presence[otherId] : undefined));
  const contacts = useAppState((s) => s.contacts);
  const blocked = useAppState((s) => (otherId ? s.blocked.includes(otherId) : false));
  const now = useNow();

  useEffect(() => {
    if (contacts === null) void session.loadContacts();
  }, [contacts, session]);

  if (!otherId) return null;
  const name = user?.displayName ?? 'Unknown user';
  const isContact = contacts?.includes(otherId) ?? false;
  const lastSeen = formatLastSeen(presence, now);
  return (
    <PanelFrame title="Contact info" onClose={onClose}>
      <div className="profile-head">
        <Avatar id={otherId} name={name} url={user?.avatarUrl} size={96} />
        <h3>{name}</h3>
        {user && <p className="muted">@{user.username}</p>}
        {lastSeen && <p className="muted small">{lastSeen}</p>}
      </div>
      <section className="card actions-card">
        <button
          type="button"
          className="list-action"
          disabled={contacts === null}
          onClick={() =>
            void (isContact ? session.removeContact(otherId) : session.addContact(otherId)).catch(() => undefined)
          }
        >
          <span className="list-action-icon">
            <Icon name="personAdd" />
          </span>
          {isContact ? 'Remove from contacts' : 'Add to contacts'}
        </button>
        <button
          type="button"
          className="list-action danger"
          onClick={() => void (blocked ? session.unblock(otherId) : session.block(otherId)).catch(() => undefined)}
        >
          <span className="list-action-icon">
            <Icon name="block" />
          </span>
          {blocked ? `Unblock ${name}` : `Block ${name}`}
        </button>
      </section>
      {blocked && <p className="muted small pad">You blocked this user: their messages to you are refused.</p>}
    </PanelFrame>
  );
}
