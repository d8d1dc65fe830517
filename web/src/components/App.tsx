/** The root: the sign-in screen, or a signed-in session. */
import { lazy, Suspense, useState } from 'react';
import { useAdminPage } from '../admin/route.js';
import { loadToken, saveToken } from '../session/auth.js';
import { AuthScreen } from './AuthScreen.js';
import { SessionRoot } from './SessionRoot.js';

// The operator pages (and their chart library) load only when opened.
const AdminRoot = lazy(() => import('../admin/AdminRoot.js').then((module) => ({ default: module.AdminRoot })));

export function App() {
  const [token, setToken] = useState(loadToken);
  const [notice, setNotice] = useState('');
  const adminPage = useAdminPage();
  if (!token) {
    return (
      <AuthScreen
        notice={notice}
        onSignedIn={(next) => {
          saveToken(next);
          setNotice('');
          setToken(next);
        }}
      />
    );
  }
  if (adminPage) {
    const signOut = () => {
      saveToken(null);
      setNotice('Please sign in again.');
      setToken(null);
    };
    return (
      <Suspense fallback={null}>
        <AdminRoot token={token} page={adminPage} onSignedOut={signOut} />
      </Suspense>
    );
  }
  return (
    <SessionRoot
      key={token}
      token={token}
      onSignedOut={(reason) => {
        saveToken(null);
        setNotice(reason);
        setToken(null);
      }}
    />
  );
}
