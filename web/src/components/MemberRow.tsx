/** A group member: avatar, name, role; admins get a menu to promote, demote or remove. */
import type { Member } from '../../../sdk/index.js';
import { personName } from '../lib/names.js';
import { formatLastSeen } from '../lib/time.js';
import { useAppState, useSession } from '../session/context.js';
import { Avatar } from './Avatar.js';
import { Menu, type MenuItem } from './Menu.js';

interface MemberRowProps {
  groupId: string;
  member: Member;
  canManage: boolean;
}

export function MemberRow({ groupId, member, canManage }: MemberRowProps) {
  const session = useSession();
  const meId = useAppState((s) => s.me?.id);
  const user = useAppState((s) => s.users[member.userId]);
  const users = useAppState((s) => s.users);
  const presence = useAppState((s) => s.presence[member.userId]);
  const name = personName(member.userId, users, meId);
  const self = member.userId === meId;
  const items: MenuItem[] = [];
  if (canManage && !self) {
    items.push(
      member.role === 'admin'
        ? {
            label: 'Dismiss as admin',
            icon: 'block',
            onSelect: () => void session.setRole(groupId, member.userId, 'member').catch(() => undefined),
          }
        : {
            label: 'Make group admin',
            icon: 'personAdd',
            onSelect: () => void session.setRole(groupId, member.userId, 'admin').catch(() => undefined),
          },
      {
        label: 'Remove from group',
        icon: 'trash',
        danger: true,
        onSelect: () => void session.removeMember(groupId, member.userId).catch(() => undefined),
      },
    );
  }
  return (
    <li className="member-row" data-user-id={member.userId}>
      <Avatar
        id={member.userId}
        name={user?.displayName ?? name}
        url={user?.avatarUrl}
        size={40}
        online={presence?.status === 'online'}
      />
      <span className="user-row-text">
        <span className="user-row-name">{name}</span>
        <span className="user-row-sub">
          {user ? `@${user.username}` : ''} {presence && !self ? `· ${formatLastSeen(presence)}` : ''}
        </span>
      </span>
      {member.role === 'admin' && <span className="role-badge">Admin</span>}
      {items.length > 0 && <Menu label={`Manage ${name}`} icon="more" items={items} />}
    </li>
  );
}
