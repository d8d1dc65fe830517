/** Short-lived notices (a failed action), bottom centre. */
import { useEffect } from 'react';
import { useAppState, useSession } from '../session/context.js';
import type { Notice } from '../state/types.js';
import { IconButton } from './IconButton.js';

function NoticeItem({ notice }: { notice: Notice }) {
  const session = useSession();
  useEffect(() => {
    const timer = setTimeout(() => session.dispatch({ type: 'dismissNotice', id: notice.id }), 6000);
    return () => clearTimeout(timer);
  }, [session, notice.id]);
  return (
    <div className="notice">
      <span>{notice.text}</span>
      <IconButton
        icon="close"
        label="Dismiss"
        size={18}
        onClick={() => session.dispatch({ type: 'dismissNotice', id: notice.id })}
      />
    </div>
  );
}

export function Notices() {
  const notices = useAppState((s) => s.notices);
  return (
    <div className="notices" role="status" aria-live="polite">
      {notices.map((n) => (
        <NoticeItem key={n.id} notice={n} />
      ))}
    </div>
  );
}
