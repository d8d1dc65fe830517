/** The channel routes for the signed-in session (sdk/channels.ts). */
import { ChatChannels } from '../../../sdk/index.js';
import type { Session } from '../session/session.js';

export function channelApi(session: Pick<Session, 'baseUrl' | 'token'>): ChatChannels {
  return new ChatChannels({ baseUrl: session.baseUrl, token: session.token });
}
