/** The English text of a system message, for clients that do not render `system` events themselves. */
import type { SystemEvent } from '../protocol/dto.js';

export interface SystemTextInput {
  event: SystemEvent['event'];
  actor: string;
  target: string | null;
  groupName?: string;
  role?: 'admin' | 'member';
}

export function systemText({ event, actor, target, groupName, role }: SystemTextInput): string {
  const who = target ?? 'someone';
  switch (event) {
    case 'channel_created':
      return `${actor} created the channel "${groupName ?? ''}"`;
    case 'group_created':
      return `${actor} created the group "${groupName ?? ''}"`;
    case 'member_added':
      return `${actor} added ${who}`;
    case 'member_removed':
      return `${actor} removed ${who}`;
    case 'member_left':
      return `${actor} left`;
    case 'role_changed':
      return role === 'admin' ? `${actor} made ${who} an admin` : `${actor} dismissed ${who} as admin`;
    case 'group_updated':
      return `${actor} changed the group settings`;
    case 'message_pinned':
      return `${actor} pinned a message`;
  }
}
