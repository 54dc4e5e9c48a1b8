import { createContext, useCallback, useContext, useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { ApiError } from './api';
import { statusTone } from './format';
import { formatRoute } from './routes';
import type { Route } from './routes';

export type Loaded<T> = { state: 'loading' } | { state: 'error'; error: ApiError } | { state: 'ok'; data: T };

/** Runs `load` when `key` changes; `reload()` runs it again (keeping the old data on screen meanwhile). */
export function useLoad<T>(load: () => Promise<T>, key: string): { result: Loaded<T>; reload: () => void } {
  const [result, setResult] = useState<Loaded<T>>({ state: 'loading' });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (data) => live && setResult({ state: 'ok', data }),
      (error: unknown) => live && setResult({ state: 'error', error: error instanceof ApiError ? error : new ApiError(0, String(error)) }),
    );
    return () => {
      live = false;
    };
  }, [key, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { result, reload };
}

export function navigate(route: Route | string, replace = false): void {
  const url = typeof route === 'string' ? route : formatRoute(route);
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export function Link({ to, children, className }: { to: Route; children: ReactNode; className?: string }) {
  const href = formatRoute(to);
  return (
    <a
      href={href}
      className={className}
      onClick={(event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
}

export function Status({ status }: { status: string | undefined }) {
  return <span className={`status status-${statusTone(status)}`}>{status ?? 'never deployed'}</span>;
}

export function Loading({ what }: { what: string }) {
  return (
    <div className="loading" role="status">
      Loading {what}…
    </div>
  );
}

export function ErrorBox({ error, what }: { error: ApiError; what: string }) {
  return (
    <div className="error-box" role="alert">
      <strong>Could not load {what}</strong>
      <span>
        {error.status ? `${error.status}${error.code ? ` ${error.code}` : ''}: ` : ''}
        {error.message}
      </span>
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}

/** Renders a loaded value, or its loading / error state. */
export function Show<T>({ loaded, what, children }: { loaded: Loaded<T>; what: string; children: (data: T) => ReactNode }) {
  if (loaded.state === 'loading') return <Loading what={what} />;
  if (loaded.state === 'error') return <ErrorBox error={loaded.error} what={what} />;
  return <>{children(loaded.data)}</>;
}

export function Json({ value }: { value: unknown }) {
  return <pre className="json">{JSON.stringify(value, null, 2)}</pre>;
}

/** The signed-in user (from GET /current-user); deployments by them show their name instead of their id. */
export const CurrentUser = createContext<{ id: string; name: string } | null>(null);

export function Who({ id }: { id: string }) {
  const me = useContext(CurrentUser);
  return <span title={id}>{me && me.id === id ? `${me.name} (you)` : id}</span>;
}
