import { useEffect, useRef, type ReactNode } from 'react';
import type { Principal, Role } from '../api/types';
import { NhsLogo, UserIcon } from '../components/NhsLogo';
import { useAuth } from './auth';
import { navFor } from './routes';
import { Link, useLocation } from './router';

export const ROLE_NAMES: Record<Role, string> = {
  caseworker: 'Caseworker',
  safeguarding_lead: 'Safeguarding lead',
  service_manager: 'Service manager',
  administrator: 'Administrator',
  integration: 'Integration',
};

function isCurrent(pathname: string, to: string): boolean {
  return pathname === to || pathname.startsWith(`${to}/`);
}

function Header({ user }: { user: Principal | null }) {
  const { signOut } = useAuth();
  const { pathname } = useLocation();
  const items = user ? navFor(user.role) : [];
  return (
    <header className="nhsuk-header" role="banner">
      <div className="nhsuk-header__container nhsuk-width-container">
        <div className="nhsuk-header__service">
          <Link className="nhsuk-header__service-logo" to="/" aria-label="NHS CHIS Flow homepage">
            <NhsLogo />
            <span className="nhsuk-header__service-name">CHIS Flow</span>
          </Link>
        </div>
        {user && (
          <nav className="nhsuk-header__account" aria-label="Account">
            <ul className="nhsuk-header__account-list">
              <li className="nhsuk-header__account-item">
                <UserIcon />
                <span data-testid="signed-in-as">
                  <span className="nhsuk-u-visually-hidden">Signed in as </span>
                  {user.displayName} ({ROLE_NAMES[user.role]})
                </span>
              </li>
              <li className="nhsuk-header__account-item">
                <button type="button" className="nhsuk-header__account-button" onClick={() => void signOut()}>
                  Sign out
                </button>
              </li>
            </ul>
          </nav>
        )}
      </div>
      {items.length > 0 && (
        <nav className="nhsuk-header__navigation" aria-label="Menu">
          <div className="nhsuk-header__navigation-container nhsuk-width-container">
            <ul className="nhsuk-header__navigation-list">
              {items.map((item) => {
                const current = isCurrent(pathname, item.to);
                return (
                  <li
                    key={item.to}
                    className={`nhsuk-header__navigation-item${current ? ' nhsuk-header__navigation-item--current' : ''}`}
                  >
                    <Link
                      className="nhsuk-header__navigation-link"
                      to={item.to}
                      aria-current={current ? 'page' : undefined}
                    >
                      {current ? (
                        <strong className="nhsuk-header__navigation-item-current-fallback">{item.label}</strong>
                      ) : (
                        item.label
                      )}
                    </Link>
                  </li>
                );
              })}
            </ul>
          </div>
        </nav>
      )}
    </header>
  );
}

function Footer() {
  return (
    <footer className="nhsuk-footer" role="contentinfo">
      <div className="nhsuk-width-container">
        <div className="nhsuk-footer__meta">
          <h2 className="nhsuk-u-visually-hidden">Support links</h2>
          <ul className="nhsuk-footer__list">
            <li className="nhsuk-footer__list-item">
              <a className="nhsuk-footer__list-item-link" href="/api/openapi.json">
                API description
              </a>
            </li>
          </ul>
          <p className="nhsuk-body-s">West Midlands Child Health Information Service</p>
        </div>
      </div>
    </footer>
  );
}

/** Skip link, header, main content (focused after each navigation), footer. */
export function Layout({ children }: { children: ReactNode }) {
  const { user } = useAuth();
  const { pathname } = useLocation();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  useEffect(() => {
    // After an in-app navigation, focus moves to the new page, as it would after a page load.
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [pathname]);
  return (
    <>
      <a className="nhsuk-skip-link" href="#maincontent">
        Skip to main content
      </a>
      <Header user={user} />
      <div className="nhsuk-width-container">
        <main className="nhsuk-main-wrapper" id="maincontent" tabIndex={-1} ref={main}>
          {children}
        </main>
      </div>
      <Footer />
    </>
  );
}
