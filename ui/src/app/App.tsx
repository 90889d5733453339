import { Component, Suspense, useCallback, useEffect, type ReactNode } from 'react';
import { AuthProvider, useAuth, useIdleTimeout } from './auth';
import { IdleWarning } from './IdleWarning';
import { Layout } from './Layout';
import { NOT_FOUND, ROUTES, type AppRoute } from './routes';
import { matchPath, RouteParamsContext, useLocation } from './router';

export const SERVICE_NAME = 'CHIS Flow';

/** Sets the browser tab's title: "Page – CHIS Flow – NHS". */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} – ${SERVICE_NAME} – NHS`;
  }, [title]);
}

export function findRoute(pathname: string): { route: AppRoute; params: Record<string, string> } | null {
  for (const route of ROUTES) {
    const params = matchPath(route.path, pathname);
    if (params) return { route, params };
  }
  return null;
}

export function Loading() {
  return (
    <p className="nhsuk-body" role="status">
      Loading…
    </p>
  );
}

/** A screen's code failed to load (usually: a new version was deployed since this page opened). */
class ScreenErrorBoundary extends Component<{ children: ReactNode; resetKey: string }, { failed: boolean }> {
  override state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  override componentDidUpdate(previous: { resetKey: string }) {
    if (previous.resetKey !== this.props.resetKey && this.state.failed) this.setState({ failed: false });
  }
  override render() {
    if (!this.state.failed) return this.props.children;
    return (
      <>
        <h1>Sorry, there is a problem with this page</h1>
        <p>
          Try <a href={window.location.href}>reloading the page</a>. If it happens again, tell your IT service desk.
        </p>
      </>
    );
  }
}

function NoAccess() {
  usePageTitle('No access');
  return (
    <>
      <h1>You do not have access to this page</h1>
      <p>Your role does not use this page. Use the links in the header to find your work.</p>
    </>
  );
}

function RouteView() {
  const { pathname } = useLocation();
  const { status, user } = useAuth();
  const found = findRoute(pathname);
  usePageTitle(found?.route.title ?? 'Page not found');
  if (!found?.route.public && status !== 'signedIn') return status === 'loading' ? <Loading /> : null;
  if (found?.route.roles && user && !found.route.roles.includes(user.role)) return <NoAccess />;
  const Screen = found?.route.component ?? NOT_FOUND;
  return (
    <RouteParamsContext.Provider value={found?.params ?? {}}>
      {/* Keyed by route: a different screen never inherits the state of the one before. */}
      <ScreenErrorBoundary resetKey={pathname} key={found?.route.path ?? 'not-found'}>
        <Suspense fallback={<Loading />}>
          <Screen />
        </Suspense>
      </ScreenErrorBoundary>
    </RouteParamsContext.Provider>
  );
}

function IdleTimeout() {
  const { status, options, signOut } = useAuth();
  const timeout = useCallback(() => void signOut('idle'), [signOut]);
  const { warning, remainingMs, stay } = useIdleTimeout(
    status === 'signedIn' ? (options?.sessionIdleMinutes ?? null) : null,
    timeout,
  );
  return warning ? <IdleWarning remainingMs={remainingMs} onStay={stay} onSignOut={() => void signOut()} /> : null;
}

export function App() {
  return (
    <AuthProvider>
      <Layout>
        <RouteView />
      </Layout>
      <IdleTimeout />
    </AuthProvider>
  );
}
