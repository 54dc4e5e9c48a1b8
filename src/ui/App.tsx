import { Suspense, lazy, useEffect, useMemo, useState } from 'react';
import { clearToken, get, getToken, paths, setUnauthenticatedHandler } from './api';
import type { Org, Perms, User } from './api';
import { AccessContext, CurrentUser, Empty, ErrorBox, Link, Loading, UserNames, navigate, useLoad } from './components';
import type { Access } from './perms';
import { formatRoute, parseRoute } from './routes';
import type { Route } from './routes';
import { DefinitionsScreen } from './screens/Definitions';
import { DeploymentScreen } from './screens/Deployment';
import { EnvironmentScreen } from './screens/Environment';
import { GridScreen } from './screens/Grid';
import { SignIn } from './screens/SignIn';

// The graph screen brings @xyflow/react and elkjs (most of the bundle): loaded when first opened.
const GraphScreen = lazy(() => import('./screens/Graph').then((m) => ({ default: m.GraphScreen })));

function currentRoute(): Route {
  return parseRoute(location.pathname, location.search);
}

export function App() {
  const [route, setRoute] = useState<Route>(currentRoute);
  const [token, setTokenState] = useState(getToken);

  useEffect(() => {
    const onPop = () => {
      setRoute(currentRoute());
      setTokenState(getToken());
    };
    window.addEventListener('popstate', onPop);
    setUnauthenticatedHandler(() => {
      clearToken();
      navigate({ name: 'signin', next: location.pathname + location.search }, true);
    });
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  useEffect(() => {
    if (route.name !== 'signin' && !token) navigate({ name: 'signin', ...(route.name !== 'home' ? { next: formatRoute(route) } : {}) }, true);
  }, [route, token]);

  useEffect(() => {
    performance.mark('baton-ui-first-screen');
  }, []);

  if (route.name === 'signin') return <SignIn next={route.next} />;
  if (!token) return <Loading what="sign-in" />;
  return (
    <Shell route={route}>
      <Screen route={route} />
    </Shell>
  );
}

function Screen({ route }: { route: Route }) {
  // Only the three ids: spread into another route, a `name` here would override that route's.
  const envRef = 'env' in route ? { org: route.org, app: route.app, env: route.env } : undefined;
  switch (route.name) {
    case 'home':
      return <Home />;
    case 'grid':
      return <GridScreen org={route.org} />;
    case 'env':
      return <EnvironmentScreen envRef={envRef!} />;
    case 'deploy':
      return <DeploymentScreen envRef={envRef!} deployId={route.deploy} />;
    case 'graph':
      return (
        <Suspense fallback={<Loading what="the graph view" />}>
          <GraphScreen envRef={envRef!} node={route.node} />
        </Suspense>
      );
    case 'defs':
      return <DefinitionsScreen key={JSON.stringify(route.question ?? {})} org={route.org} question={route.question} />;
    default:
      return <Empty>No screen at this address. <Link to={{ name: 'home' }}>Go to the overview</Link>.</Empty>;
  }
}

function Home() {
  const { result } = useLoad(() => get<Org[]>(paths.orgs()), 'orgs');
  useEffect(() => {
    if (result.state === 'ok' && result.data[0]) navigate({ name: 'grid', org: result.data[0].id }, true);
  }, [result]);
  if (result.state === 'error') return <ErrorBox error={result.error} what="organizations" />;
  if (result.state === 'ok' && result.data.length === 0) return <Empty>This token sees no organization.</Empty>;
  return <Loading what="organizations" />;
}

/** The signed-in user's perms in `org`: hides actions they may not take (the API refuses them anyway). */
function useAccess(org: string | undefined, user: User | null): Access {
  const { result } = useLoad(async (): Promise<Perms | null> => (org && user ? get<Perms>(paths.perms(org, user.id)) : null), `perms:${org ?? ''}:${user?.id ?? ''}`);
  if (!org || !user || result.state === 'loading' || (result.state === 'ok' && result.data === null)) return { state: 'loading' };
  if (result.state === 'error') return { state: 'unavailable' };
  return { state: 'known', perms: result.data! };
}

function Shell({ route, children }: { route: Route; children: React.ReactNode }) {
  const { result: user } = useLoad(() => get<User>(paths.currentUser()), 'me');
  const org = 'org' in route ? route.org : undefined;
  const access = useAccess(org, user.state === 'ok' ? user.data : null);
  // Who deployed what, by name; a user who may not list the org's users (403) sees ids.
  const { result: users } = useLoad(async () => (org ? get<User[]>(paths.orgUsers(org)).catch(() => []) : []), `users:${org ?? ''}`);
  const names = useMemo(() => new Map(users.state === 'ok' ? users.data.map((u) => [u.id, u.name] as const) : []), [users]);
  return (
    <AccessContext.Provider value={access}>
    <UserNames.Provider value={names}>
    <CurrentUser.Provider value={user.state === 'ok' ? user.data : null}>
    <div className="shell">
      <header className="topbar">
        <Link to={org ? { name: 'grid', org } : { name: 'home' }} className="brand">
          <img src="/ui/logo.svg" alt="Baton logo" width={24} height={24} />
          <span>Baton</span>
        </Link>
        {org && <span className="crumb">org {org}</span>}
        {org && (
          <Link to={{ name: 'defs', org }} className="nav-link">
            Resource definitions
          </Link>
        )}
        <span className="spacer" />
        {user.state === 'ok' && <span className="who">{user.data.name}</span>}
        <button
          type="button"
          className="link-button"
          onClick={() => {
            clearToken();
            navigate({ name: 'signin' });
          }}
        >
          Sign out
        </button>
      </header>
      <main>{children}</main>
    </div>
    </CurrentUser.Provider>
    </UserNames.Provider>
    </AccessContext.Provider>
  );
}
