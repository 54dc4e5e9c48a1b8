import { useState } from 'react';
import { ApiError, get, paths, post } from '../api';
import type { Environment } from '../api';
import { ErrorBox, Show, navigate, useLoad } from '../components';
import type { EnvRef } from '../routes';

/** Create an environment of the app, optionally cloned from a deployment (POST …/envs with `from_deploy_id`). */
export function NewEnvironmentDialog({ envRef, fromDeployId, onClose }: { envRef: EnvRef; fromDeployId: string | undefined; onClose: () => void }) {
  const { org, app } = envRef;
  const types = useLoad(() => get<{ id: string }[]>(`/orgs/${encodeURIComponent(org)}/env-types`), `env-types:${org}`);
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [type, setType] = useState('development');
  const [clone, setClone] = useState(fromDeployId !== undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <div className="dialog-backdrop">
      <form
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="new-env-title"
        onSubmit={(event) => {
          event.preventDefault();
          setBusy(true);
          const body = { id, name: name || id, type, ...(clone && fromDeployId ? { from_deploy_id: fromDeployId } : {}) };
          post<Environment>(paths.envs(org, app), body).then(
            (created) => {
              onClose();
              navigate({ name: 'env', org, app, env: created.id });
            },
            (e: unknown) => {
              setBusy(false);
              setError(e instanceof ApiError ? e : new ApiError(0, String(e)));
            },
          );
        }}
      >
        <h3 id="new-env-title">New environment of {app}</h3>
        <div className="tester">
          <label>
            Id
            <input value={id} required pattern="[a-z0-9][a-z0-9\-]*" onChange={(e) => setId(e.target.value)} />
          </label>
          <label>
            Name
            <input value={name} placeholder={id} onChange={(e) => setName(e.target.value)} />
          </label>
          <label>
            Type
            <Show loaded={types.result} what="environment types">
              {(list) => (
                <select value={type} onChange={(e) => setType(e.target.value)}>
                  {list.map((t) => (
                    <option key={t.id}>{t.id}</option>
                  ))}
                </select>
              )}
            </Show>
          </label>
        </div>
        {fromDeployId && (
          <label className="check">
            <input type="checkbox" checked={clone} onChange={(e) => setClone(e.target.checked)} /> Clone {envRef.env}: the new environment's first deployment builds on deployment {fromDeployId}
          </label>
        )}
        {error && <ErrorBox error={error} what="the environment" />}
        <div className="dialog-actions">
          <button type="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={busy || id === ''}>
            Create environment
          </button>
        </div>
      </form>
    </div>
  );
}
