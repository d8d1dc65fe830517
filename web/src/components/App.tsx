/** The root: the sign-in screen, or a signed-in session. */
import { useState } from 'react';
import { loadToken, saveToken } from '../session/auth.js';
import { AuthScreen } from './AuthScreen.js';
import { SessionRoot } from './SessionRoot.js';

export function App() {
  const [token, setToken] = useState(loadToken);
  const [notice, setNotice] = useState('');
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
