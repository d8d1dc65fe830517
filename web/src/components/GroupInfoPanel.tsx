/** Group info: name, who may send, members with roles; admins manage, anyone can leave. */
import { type FormEvent, useId, useState } from 'react';
import type { SendPolicy } from '../../../sdk/index.js';
import { conversationTitle } from '../lib/names.js';
import { useAppState, useSession } from '../session/context.js';
import type { ConversationEntry } from '../state/types.js';
import { Avatar } from './Avatar.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { MemberRow } from './MemberRow.js';
import { PanelFrame } from './PanelFrame.js';
import { UserPicker } from './UserPicker.js';

export function GroupInfoPanel({ entry, onClose }: { entry: ConversationEntry; onClose(): void }) {
  const session = useSession();
  const { conversation } = entry;
  const users = useAppState((s) => s.users);
  const meId = useAppState((s) => s.me?.id);
  const [name, setName] = useState(conversation.name ?? '');
  const [adding, setAdding] = useState(false);
  const [leaving, setLeaving] = useState(false);
  const id = useId();
  const isAdmin = !entry.removed && conversation.members.some((m) => m.userId === meId && m.role === 'admin');
  const title = conversationTitle(conversation, users, meId);
  const members = [...conversation.members].sort((a, b) =>
    a.userId === meId ? -1 : b.userId === meId ? 1 : a.role !== b.role ? (a.role === 'admin' ? -1 : 1) : 0,
  );

  const rename = (event: FormEvent) => {
    event.preventDefault();
    const next = name.trim();
    if (next && next !== conversation.name)
      void session.updateGroup(conversation.id, { name: next }).catch(() => undefined);
  };
  const setPolicy = (sendPolicy: SendPolicy) =>
    void session.updateGroup(conversation.id, { sendPolicy }).catch(() => undefined);

  return (
    <PanelFrame title="Group info" onClose={onClose}>
      <div className="profile-head">
        <Avatar id={conversation.id} name={title} url={conversation.avatarUrl} size={96} />
        <h3>{title}</h3>
        <p className="muted">
          Group · {conversation.members.length} member{conversation.members.length === 1 ? '' : 's'}
        </p>
      </div>
      {isAdmin && (
        <section className="card">
          <form className="inline-form" onSubmit={rename}>
            <label htmlFor={`${id}-name`}>Group name</label>
            <div className="inline-row">
              <input id={`${id}-name`} maxLength={128} value={name} onChange={(e) => setName(e.target.value)} />
              <button type="submit" className="button" disabled={!name.trim() || name.trim() === conversation.name}>
                Rename
              </button>
            </div>
          </form>
          <fieldset className="plain">
            <legend>Who can send messages</legend>
            {(['all', 'admins'] as const).map((policy) => (
              <label key={policy} className="radio">
                <input
                  type="radio"
                  name={`${id}-policy`}
                  checked={conversation.settings.sendPolicy === policy}
                  onChange={() => setPolicy(policy)}
                />
                {policy === 'all' ? 'All members' : 'Only admins'}
              </label>
            ))}
          </fieldset>
        </section>
      )}
      <section className="card">
        <div className="card-title-row">
          <h4>{conversation.members.length} members</h4>
          {isAdmin && (
            <button type="button" className="button small" aria-expanded={adding} onClick={() => setAdding((v) => !v)}>
              {adding ? 'Done' : 'Add member'}
            </button>
          )}
        </div>
        {adding && (
          <UserPicker
            label="Add a member by username"
            placeholder="Add a member by username"
            actionLabel="Add"
            exclude={conversation.members.map((m) => m.userId)}
            onPick={(user) => void session.addMember(conversation.id, user.id).catch(() => undefined)}
            autoFocus
          />
        )}
        <ul className="member-list">
          {members.map((member) => (
            <MemberRow key={member.userId} groupId={conversation.id} member={member} canManage={isAdmin} />
          ))}
        </ul>
      </section>
      {!entry.removed && (
        <button type="button" className="button danger wide" onClick={() => setLeaving(true)}>
          Leave group
        </button>
      )}
      {leaving && (
        <ConfirmDialog
          title={`Leave "${title}"?`}
          body="You will stop receiving its messages."
          confirmLabel="Leave group"
          danger
          onCancel={() => setLeaving(false)}
          onConfirm={() => {
            setLeaving(false);
            void session.leaveGroup(conversation.id).catch(() => undefined);
          }}
        />
      )}
    </PanelFrame>
  );
}
