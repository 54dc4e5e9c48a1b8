import { get, paths } from '../api';
import type { App, Deployment, Environment } from '../api';
import { Empty, Link, RenderedMark, Show, Status, Who, useLoad } from '../components';
import { age } from '../format';

interface Row {
  app: App;
  envs: (Environment & { last: Deployment | undefined })[];
}

/** Apps × environments: each cell is the environment's last deployment (status, age, who) and links to it. */
export function GridScreen({ org }: { org: string }) {
  const { result } = useLoad(async (): Promise<Row[]> => {
    const apps = await get<App[]>(paths.apps(org));
    // The newest deployment of each environment (the list is newest first).
    return Promise.all(
      apps.map(async (app) => {
        const envs = await get<Environment[]>(paths.envs(org, app.id));
        return { app, envs: await Promise.all(envs.map(async (env) => ({ ...env, last: (await get<Deployment[]>(`${paths.deploys(org, app.id, env.id)}?per_page=1`))[0] }))) };
      }),
    );
  }, `grid:${org}`);
  return (
    <section>
      <h2>Applications</h2>
      <Show loaded={result} what="applications">
        {(rows) => {
          if (rows.length === 0) return <Empty>No applications yet. Create one with `baton apps create` or POST /orgs/{org}/apps.</Empty>;
          const envIds = [...new Set(rows.flatMap((r) => r.envs.map((e) => e.id)))];
          return (
            <table className="grid">
              <RenderedMark name="baton-ui-grid-rendered" />
              <thead>
                <tr>
                  <th scope="col">Application</th>
                  {envIds.map((id) => (
                    <th scope="col" key={id}>
                      {id}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map(({ app, envs }) => (
                  <tr key={app.id}>
                    <th scope="row">
                      {app.name}
                      <div className="sub">{app.id}</div>
                    </th>
                    {envIds.map((envId) => {
                      const env = envs.find((e) => e.id === envId);
                      if (!env) return <td key={envId} className="cell-none" aria-label="no such environment" />;
                      const last = env.last;
                      const ref = { org, app: app.id, env: env.id };
                      return (
                        <td key={envId} data-testid={`cell-${app.id}-${env.id}`}>
                          <Link to={{ name: 'env', ...ref }} className="cell-env">
                            {env.name}
                          </Link>
                          {last ? (
                            <div className="cell-deploy">
                              <Status status={last.status} />
                              <Link to={{ name: 'deploy', ...ref, deploy: last.id }}>{age(last.created_at)}</Link>
                              <span className="sub">
                                by <Who id={last.created_by} />
                              </span>
                            </div>
                          ) : (
                            <div className="cell-deploy">
                              <Status status={undefined} />
                            </div>
                          )}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          );
        }}
      </Show>
    </section>
  );
}
