import { useState } from 'react';
import { ApiError, paths, request, setToken } from '../api';
import type { LoginResult, User } from '../api';
import { navigate } from '../components';

type Mode = 'password' | 'token';

/**
 * Sign in with email and password (`POST /baton/login`, which answers an API token of the user, valid 12 h) or with
 * an API token (`baton tokens create`, or the bootstrap token), checked with GET /current-user. Either way the UI then
 * holds a bearer token, in this tab's session storage only.
 */
export function SignIn({ next }: { next: string | undefined }) {
  const [mode, setMode] = useState<Mode>('password');
  const [token, setTokenText] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ready = mode === 'token' ? token.trim() !== '' : email.trim() !== '' && password !== '';

  const signIn = async (): Promise<void> => {
    // An empty token (not null): a 401 here is a wrong answer, not a session that ended.
    const value =
      mode === 'token'
        ? token.trim()
        : (await request<LoginResult>('POST', paths.login(), { email: email.trim(), password, description: 'Baton web UI' }, '')).token;
    await request<User>('GET', paths.currentUser(), undefined, value);
    setToken(value);
    navigate(next ?? '/ui/', true);
  };

  return (
    <div className="signin">
      <form
        className="card signin-card"
        onSubmit={(event) => {
          event.preventDefault();
          setBusy(true);
          setError(null);
          signIn().catch((e: unknown) => {
            setBusy(false);
            setError(e instanceof ApiError ? e.message : String(e));
          });
        }}
      >
        <h1>
          <img src="/ui/logo.svg" alt="Baton logo" width={32} height={32} /> Sign in to Baton
        </h1>
        <div className="signin-tabs" role="tablist" aria-label="How to sign in">
          {(
            [
              ['password', 'Email and password'],
              ['token', 'API token'],
            ] as const
          ).map(([m, label]) => (
            <button
              key={m}
              type="button"
              role="tab"
              aria-selected={mode === m}
              onClick={() => {
                setMode(m);
                setError(null);
              }}
            >
              {label}
            </button>
          ))}
        </div>
        {mode === 'password' ? (
          <>
            <label htmlFor="email">Email</label>
            <input id="email" name="email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
            <label htmlFor="password">Password</label>
            <input id="password" name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
            <p className="hint">For users who accepted an invitation. Baton answers an API token valid for 12 hours, kept in this browser tab only.</p>
          </>
        ) : (
          <>
            <label htmlFor="token">API token</label>
            <input id="token" name="token" type="password" autoComplete="off" required value={token} onChange={(e) => setTokenText(e.target.value)} />
            <p className="hint">The token is kept in this browser tab only (session storage) and sent to Baton's API as a bearer token.</p>
          </>
        )}
        {error && (
          <div className="error-box" role="alert">
            {error}
          </div>
        )}
        <button type="submit" className="primary" disabled={busy || !ready}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}
