import { useState } from 'react';
import { ApiError, paths, request, setToken } from '../api';
import type { User } from '../api';
import { navigate } from '../components';

/** Sign in with an API token (`baton tokens create`, or the bootstrap token); it is checked with GET /current-user. */
export function SignIn({ next }: { next: string | undefined }) {
  const [token, setTokenText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <div className="signin">
      <form
        className="card signin-card"
        onSubmit={(event) => {
          event.preventDefault();
          setBusy(true);
          setError(null);
          const value = token.trim();
          request<User>('GET', paths.currentUser(), undefined, value).then(
            () => {
              setToken(value);
              navigate(next ?? '/ui/', true);
            },
            (e: unknown) => {
              setBusy(false);
              setError(e instanceof ApiError ? e.message : String(e));
            },
          );
        }}
      >
        <h1>
          <img src="/ui/logo.svg" alt="Baton logo" width={32} height={32} /> Sign in to Baton
        </h1>
        <label htmlFor="token">API token</label>
        <input id="token" name="token" type="password" autoComplete="off" required value={token} onChange={(e) => setTokenText(e.target.value)} />
        <p className="hint">The token is kept in this browser tab only (session storage) and sent to Baton's API as a bearer token.</p>
        {error && (
          <div className="error-box" role="alert">
            {error}
          </div>
        )}
        <button type="submit" className="primary" disabled={busy || token.trim() === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}
