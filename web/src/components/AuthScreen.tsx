/** Sign in or create an account. */
import { type FormEvent, useId, useState } from 'react';
import { describeAuthError, signIn } from '../session/auth.js';

interface AuthScreenProps {
  notice?: string;
  onSignedIn(token: string): void;
}

export function AuthScreen({ notice, onSignedIn }: AuthScreenProps) {
  const [mode, setMode] = useState<'login' | 'register'>('login');
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const id = useId();
  const register = mode === 'register';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      const result = await signIn(mode, {
        username: username.trim().toLowerCase(),
        password,
        displayName: displayName.trim() || undefined,
      });
      onSignedIn(result.token);
    } catch (caught) {
      setError(describeAuthError(caught, mode));
      setBusy(false);
    }
  };

  return (
    <main className="auth">
      <div className="auth-card">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          <span className="brand-name">Chat</span>
        </div>
        <h1>{register ? 'Create your account' : 'Welcome back'}</h1>
        <p className="muted">
          {register ? 'Pick a username your friends can find you by.' : 'Sign in to continue to your chats.'}
        </p>
        {notice && !error && (
          <p className="form-notice" role="status">
            {notice}
          </p>
        )}
        <form onSubmit={submit} noValidate={false}>
          <label htmlFor={`${id}-username`}>Username</label>
          <input
            id={`${id}-username`}
            name="username"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            required
            minLength={3}
            maxLength={32}
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
          {register && (
            <>
              <label htmlFor={`${id}-display`}>
                Display name <span className="muted">(optional)</span>
              </label>
              <input
                id={`${id}-display`}
                name="displayName"
                autoComplete="name"
                maxLength={64}
                value={displayName}
                onChange={(e) => setDisplayName(e.target.value)}
              />
            </>
          )}
          <label htmlFor={`${id}-password`}>Password</label>
          <input
            id={`${id}-password`}
            name="password"
            type="password"
            autoComplete={register ? 'new-password' : 'current-password'}
            required
            minLength={register ? 8 : 1}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          {register && <p className="hint">At least 8 characters.</p>}
          {error && (
            <p className="form-error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" className="button primary wide" disabled={busy}>
            {busy ? 'Please wait…' : register ? 'Create account' : 'Sign in'}
          </button>
        </form>
        <p className="auth-switch">
          {register ? 'Already have an account?' : 'New here?'}{' '}
          <button
            type="button"
            className="link"
            onClick={() => {
              setMode(register ? 'login' : 'register');
              setError('');
            }}
          >
            {register ? 'Sign in' : 'Create an account'}
          </button>
        </p>
      </div>
    </main>
  );
}
