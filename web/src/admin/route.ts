/** The operator pages: `/admin` (dashboard) and `/admin/capacity` (planner). */
import { useEffect, useState } from 'react';

export type AdminPage = 'dashboard' | 'capacity';

export function adminPage(pathname: string): AdminPage | null {
  if (/^\/admin\/?$/.test(pathname)) return 'dashboard';
  if (/^\/admin\/capacity\/?$/.test(pathname)) return 'capacity';
  return null;
}

/** The admin page the URL names, following navigation (popstate). */
export function useAdminPage(): AdminPage | null {
  const [page, setPage] = useState(() => (typeof location === 'undefined' ? null : adminPage(location.pathname)));
  useEffect(() => {
    const sync = () => setPage(adminPage(location.pathname));
    window.addEventListener('popstate', sync);
    return () => window.removeEventListener('popstate', sync);
  }, []);
  return page;
}
