/** `/admin` and `/admin/capacity`: checks the admin flag, then shows the page with its navigation. */
import { useEffect, useState } from 'react';
import { CapacityPage } from '../capacity/CapacityPage.js';
import { navigate } from '../lib/router.js';
import { fetchOverview } from './api.js';
import { Dashboard } from './Dashboard.js';
import type { AdminPage } from './route.js';
import './admin.css';

type Access = 'checking' | 'admin' | 'forbidden' | 'signed-out' | 'unreachable';

export function AdminRoot({ token, page, onSignedOut }: { token: string; page: AdminPage; onSignedOut(): void }) {
  const [access, setAccess] = useState<Access>('checking');

  useEffect(() => {
    let cancelled = false;
    fetchOverview(token).then((answer) => {
      if (cancelled) return;
      if (answer.ok) setAccess('admin');
      else if (answer.status === 403) setAccess('forbidden');
      else if (answer.status === 401) setAccess('signed-out');
      else setAccess('unreachable');
    });
    return () => {
      cancelled = true;
    };
  }, [token]);

  useEffect(() => {
    document.title = page === 'capacity' ? 'Capacity planner · Chat' : 'Admin · Chat';
    if (access === 'signed-out') onSignedOut();
  }, [page, access, onSignedOut]);

  const link = (path: string, label: string, current: boolean) => (
    <a
      href={path}
      aria-current={current ? 'page' : undefined}
      onClick={(event) => {
        event.preventDefault();
        navigate(path);
      }}
    >
      {label}
    </a>
  );

  return (
    <div className="admin">
      <header className="admin-header">
        <h1>{page === 'capacity' ? 'Capacity planner' : 'Operations'}</h1>
        <nav aria-label="Admin">
          {link('/admin', 'Dashboard', page === 'dashboard')}
          {link('/admin/capacity', 'Capacity', page === 'capacity')}
          {link('/', 'Back to chats', false)}
        </nav>
      </header>
      <main className="admin-main">
        {access === 'checking' && <p className="admin-empty">Loading…</p>}
        {access === 'forbidden' && (
          <p className="admin-empty" role="alert">
            This page is for admins. An admin can grant access with <code>chat admin grant USERNAME</code>.
          </p>
        )}
        {access === 'unreachable' && (
          <p className="admin-empty" role="alert">
            Cannot reach the server.
          </p>
        )}
        {access === 'admin' && (page === 'capacity' ? <CapacityPage token={token} /> : <Dashboard token={token} />)}
      </main>
    </div>
  );
}
