import { createContext, useCallback, useContext, useEffect, useState } from 'react';
import type { ReactNode } from 'react';
import { ApiError } from './api';
import type { ManifestChanges } from './api';
import { may } from './perms';
import type { Access, ObjectRef } from './perms';
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

/**
 * Warnings of a plan or a deployment (e.g. a variable whose environment value is unset gets an empty string): they do
 * not stop a deployment, so they stand out above the details instead of hiding in a log line. Nothing when none.
 */
export function Warnings({ warnings, lead, testId }: { warnings: readonly string[]; lead: string; testId: string }) {
  if (warnings.length === 0) return null;
  return (
    <section className="warnings" aria-label="Warnings" data-testid={testId}>
      <h3>
        {warnings.length === 1 ? '1 warning' : `${warnings.length} warnings`}: {lead}
      </h3>
      <ul>
        {warnings.map((w, i) => (
          <li key={i}>{w}</li>
        ))}
      </ul>
    </section>
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

/** Names of the org's users (GET /orgs/{org}/users), where the signed-in user may list them; ids otherwise. */
export const UserNames = createContext<ReadonlyMap<string, string>>(new Map());

export function Who({ id }: { id: string }) {
  const me = useContext(CurrentUser);
  const names = useContext(UserNames);
  return <span title={id}>{me && me.id === id ? `${me.name} (you)` : (names.get(id) ?? id)}</span>;
}

/** What the signed-in user may do (GET /orgs/{org}/users/{me}/perms), to hide actions; the server stays the authority. */
export const AccessContext = createContext<Access>({ state: 'loading' });

/** Whether to offer an action needing `permission` on `ref` (hidden while the perms load). */
export function useMay(permission: string, ref: ObjectRef): boolean {
  return may(useContext(AccessContext), permission, ref);
}

/** Says the user may only look here, once their perms are known (not while they load). */
export function ReadOnlyNote({ permission, object, why }: { permission: string; object: ObjectRef; why: string }) {
  const access = useContext(AccessContext);
  if (access.state !== 'known' || may(access, permission, object)) return null;
  return (
    <span className="read-only" title={why} data-testid="read-only">
      read-only for you
    </span>
  );
}

export interface Column<T> {
  header: string;
  cell: (row: T) => ReactNode;
}

/** The one list table of the UI: a header row, one row per item, or the empty state when there is none. */
export function DataTable<T>({ rows, columns, rowKey, empty, rowClass, testId }: { rows: readonly T[]; columns: readonly Column<T>[]; rowKey: (row: T) => string; empty: ReactNode; rowClass?: (row: T) => string; testId?: string }) {
  if (rows.length === 0) return <Empty>{empty}</Empty>;
  return (
    <table className="list" data-testid={testId}>
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c.header} scope="col">
              {c.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={rowKey(row)} className={rowClass?.(row)}>
            {columns.map((c) => (
              <td key={c.header}>{c.cell(row)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A unified diff with added and removed lines coloured. */
export function DiffText({ text }: { text: string }) {
  return (
    <pre className="diff">
      {text.split('\n').map((line, i) => (
        <span key={i} className={line.startsWith('+') && !line.startsWith('+++') ? 'diff-add' : line.startsWith('-') && !line.startsWith('---') ? 'diff-del' : line.startsWith('@@') ? 'diff-hunk' : undefined}>
          {line}
          {'\n'}
        </span>
      ))}
    </pre>
  );
}

/** Objects added, changed (with their diff), removed, and how many are unchanged: a plan's or a deployment's. */
export function ManifestChangesView({ changes, testId }: { changes: ManifestChanges; testId?: string }) {
  const { added, changed, removed, unchanged } = changes;
  if (added.length + changed.length + removed.length === 0) return <Empty>No manifest changes ({unchanged.length} object(s) unchanged).</Empty>;
  return (
    <div className="manifest-changes" data-testid={testId}>
      <p className="sub">
        {added.length} added · {changed.length} changed · {removed.length} removed · {unchanged.length} unchanged
      </p>
      <ul className="changes">
        {added.map((a) => (
          <li key={a.key}>
            <span className="chg chg-add">added</span> <code>{a.key}</code>
          </li>
        ))}
        {removed.map((r) => (
          <li key={r.key}>
            <span className="chg chg-del">removed</span> <code>{r.key}</code>
          </li>
        ))}
        {changed.map((c) => (
          <li key={c.key}>
            <details open={changed.length <= 3}>
              <summary>
                <span className="chg chg-upd">changed</span> <code>{c.key}</code>
              </summary>
              <DiffText text={c.diff} />
            </details>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** A performance mark once this renders (the browser test measures how soon a screen shows its data). */
export function RenderedMark({ name }: { name: string }) {
  useEffect(() => {
    if (performance.getEntriesByName(name).length === 0) performance.mark(name);
  }, [name]);
  return null;
}
