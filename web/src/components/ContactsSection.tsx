/** The contact list: add by username, remove. */
import { useEffect, useId, useState } from 'react';
import type { User } from '../../../sdk/index.js';
import { useAppState, useSession } from '../session/context.js';
import { Avatar } from './Avatar.js';
import { UserPicker } from './UserPicker.js';

export function ContactsSection() {
  const session = useSession();
  const ids = useAppState((s) => s.contacts);
  const users = useAppState((s) => s.users);
  const [adding, setAdding] = useState(false);
  const id = useId();

  useEffect(() => {
    void session.loadContacts();
  }, [session]);

  const contacts = (ids ?? []).map((c) => users[c]).filter((u): u is User => Boolean(u));
  return (
    <section className="card" aria-labelledby={`${id}-title`}>
      <div className="card-title-row">
        <h3 id={`${id}-title`}>Contacts</h3>
        <button type="button" className="button small" aria-expanded={adding} onClick={() => setAdding((v) => !v)}>
          {adding ? 'Done' : 'Add contact'}
        </button>
      </div>
      {adding && (
        <UserPicker
          label="Find a contact by username"
          actionLabel="Add contact"
          exclude={ids ?? []}
          onPick={(user) => void session.addContact(user.id).catch(() => undefined)}
          autoFocus
        />
      )}
      {ids !== null && contacts.length === 0 && <p className="muted small">No contacts yet.</p>}
      <ul className="member-list">
        {contacts.map((user) => (
          <li key={user.id} className="member-row">
            <Avatar id={user.id} name={user.displayName} url={user.avatarUrl} size={36} />
            <span className="user-row-text">
              <span className="user-row-name">{user.displayName}</span>
              <span className="user-row-sub">@{user.username}</span>
            </span>
            <button
              type="button"
              className="button small"
              aria-label={`Remove ${user.displayName} from contacts`}
              onClick={() => void session.removeContact(user.id).catch(() => undefined)}
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
