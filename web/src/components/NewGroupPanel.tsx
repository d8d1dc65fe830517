/** Create a group: a name and the members. */
import { type FormEvent, useId, useState } from 'react';
import type { User } from '../../../sdk/index.js';
import { conversationPath, navigate } from '../lib/router.js';
import { useSession } from '../session/context.js';
import { Avatar } from './Avatar.js';
import { IconButton } from './IconButton.js';
import { PanelFrame } from './PanelFrame.js';
import { UserPicker } from './UserPicker.js';

export function NewGroupPanel({ onClose }: { onClose(): void }) {
  const session = useSession();
  const [name, setName] = useState('');
  const [members, setMembers] = useState<User[]>([]);
  const [busy, setBusy] = useState(false);
  const id = useId();

  const create = async (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim() || members.length === 0) return;
    setBusy(true);
    try {
      const groupId = await session.createGroup(
        name.trim(),
        members.map((m) => m.id),
      );
      onClose();
      navigate(conversationPath(groupId));
    } catch {
      setBusy(false);
    }
  };

  return (
    <PanelFrame title="New group" onClose={onClose} closeIcon="back">
      <form className="stack" onSubmit={create}>
        <label htmlFor={`${id}-name`}>Group name</label>
        <input
          id={`${id}-name`}
          data-autofocus=""
          maxLength={128}
          required
          value={name}
          onChange={(e) => setName(e.target.value)}
        />
        <fieldset className="plain">
          <legend>Members {members.length > 0 && <span className="muted">({members.length})</span>}</legend>
          {members.length > 0 && (
            <ul className="chips">
              {members.map((m) => (
                <li key={m.id} className="chip">
                  <Avatar id={m.id} name={m.displayName} url={m.avatarUrl} size={24} />
                  <span>{m.displayName}</span>
                  <IconButton
                    icon="close"
                    size={16}
                    label={`Remove ${m.displayName}`}
                    onClick={() => setMembers(members.filter((x) => x.id !== m.id))}
                  />
                </li>
              ))}
            </ul>
          )}
          <UserPicker
            label="Add members by username"
            placeholder="Add members by username"
            actionLabel="Add"
            exclude={members.map((m) => m.id)}
            onPick={(user) => setMembers([...members, user])}
          />
        </fieldset>
        <button type="submit" className="button primary wide" disabled={busy || !name.trim() || members.length === 0}>
          {busy ? 'Creating…' : 'Create group'}
        </button>
      </form>
    </PanelFrame>
  );
}
