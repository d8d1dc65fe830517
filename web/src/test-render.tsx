/** Renders a component inside a test session whose state the test sets up. */
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import type { ConversationSummary, User } from '../../sdk/index.js';
import { SessionContext } from './session/context.js';
import type { Session } from './session/session.js';
import type { Action } from './state/types.js';
import { testSession } from './test-fixtures.js';

export function renderWithSession(
  ui: ReactElement,
  setup: { me: User; conversations?: ConversationSummary[]; actions?: Action[] },
): { session: Session } & ReturnType<typeof render> {
  const session = testSession();
  session.dispatch({
    type: 'bootstrap',
    me: setup.me,
    privacy: { presence: 'everyone', lastSeen: 'everyone' },
    conversations: setup.conversations ?? [],
    pending: [],
  });
  for (const action of setup.actions ?? []) session.dispatch(action);
  const result = render(<SessionContext.Provider value={session}>{ui}</SessionContext.Provider>);
  return { session, ...result };
}
