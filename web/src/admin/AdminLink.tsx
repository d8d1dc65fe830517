/** A link to /admin in the chat list's header, shown only to admins (the overview answers them). */
import { useEffect, useState } from 'react';
import { navigate } from '../lib/router.js';
import { useSession } from '../session/context.js';
import { fetchOverview } from './api.js';

export function AdminLink() {
  const session = useSession();
  const [admin, setAdmin] = useState(false);
  useEffect(() => {
    let cancelled = false;
    fetchOverview(session.token).then((answer) => {
      if (!cancelled) setAdmin(answer.ok);
    });
    return () => {
      cancelled = true;
    };
  }, [session]);
  if (!admin) return null;
  return (
    <a
      className="admin-link"
      href="/admin"
      title="Operations dashboard"
      onClick={(event) => {
        event.preventDefault();
        navigate('/admin');
      }}
    >
      Admin
    </a>
  );
}
