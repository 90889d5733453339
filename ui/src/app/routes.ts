/**
 * Every screen, in one table: its path pattern, its title, who may open it, and its code,
 * loaded only when first visited (so the first page loads the shell and one screen). Add a
 * screen by adding a row here and, if it belongs in the header, a NAV entry.
 */
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import type { Role } from '../api/types';

export interface AppRoute {
  path: string;
  title: string;
  component: LazyExoticComponent<ComponentType>;
  /** Starts loading the screen's code (the first page does, alongside "who am I", rather than after it). */
  preload(): Promise<unknown>;
  /** Roles that may open it; absent: anyone signed in. */
  roles?: readonly Role[];
  /** Shown signed out (sign-in). */
  public?: boolean;
}

function screen(load: () => Promise<{ default: ComponentType }>) {
  return { component: lazy(load), preload: load };
}

const CASEWORK: readonly Role[] = ['caseworker', 'safeguarding_lead', 'service_manager'];
const LEADS: readonly Role[] = ['safeguarding_lead'];
const CONCERNS: readonly Role[] = ['caseworker', 'safeguarding_lead'];
/** Process definitions are read by all staff; editing and operations are for managers and administrators. */
const MANAGERS: readonly Role[] = ['service_manager', 'administrator'];
/** Coverage reports are counts: leads see their localities, managers and administrators the region. */
const REPORTS: readonly Role[] = ['safeguarding_lead', 'service_manager', 'administrator'];

export const ROUTES: readonly AppRoute[] = [
  { path: '/sign-in', title: 'Sign in', public: true, ...screen(() => import('../pages/SignInPage')) },
  { path: '/', title: 'Home', ...screen(() => import('../pages/HomePage')) },
  { path: '/my-work', title: 'My work', roles: CASEWORK, ...screen(() => import('../pages/MyWorkPage')) },
  { path: '/tasks/:id', title: 'Task', roles: CASEWORK, ...screen(() => import('../pages/TaskPage')) },
  {
    path: '/children',
    title: 'Find a child',
    roles: CASEWORK,
    ...screen(() => import('../pages/FindChildPage')),
  },
  {
    path: '/children/:nhsNumber',
    title: 'Child record',
    roles: CASEWORK,
    ...screen(() => import('../pages/ChildRecordPage')),
  },
  {
    path: '/concerns',
    title: 'Safeguarding concerns',
    roles: CONCERNS,
    ...screen(() => import('../pages/ConcernsPage')),
  },
  {
    path: '/concerns/:id',
    title: 'Safeguarding concern',
    roles: CONCERNS,
    ...screen(() => import('../pages/ConcernPage')),
  },
  {
    path: '/safeguarding',
    title: 'Safeguarding dashboard',
    roles: LEADS,
    ...screen(() => import('../pages/SafeguardingPage')),
  },
  { path: '/alerts', title: 'Break-glass alerts', roles: LEADS, ...screen(() => import('../pages/AlertsPage')) },
  { path: '/team', title: 'Team workload', roles: LEADS, ...screen(() => import('../pages/TeamPage')) },
  // Service managers and administrators (issue 14): the diagram screens load bpmn-js in their own chunks.
  {
    path: '/processes',
    title: 'Processes',
    roles: MANAGERS,
    ...screen(() => import('../pages/processes/ProcessesPage')),
  },
  {
    path: '/processes/new',
    title: 'New process',
    roles: MANAGERS,
    ...screen(() => import('../pages/processes/EditorPage')),
  },
  {
    path: '/processes/:key',
    title: 'Process',
    roles: MANAGERS,
    ...screen(() => import('../pages/processes/ProcessPage')),
  },
  {
    path: '/processes/:key/edit',
    title: 'Edit process',
    roles: MANAGERS,
    ...screen(() => import('../pages/processes/EditorPage')),
  },
  {
    path: '/processes/:key/compare',
    title: 'Compare versions',
    roles: MANAGERS,
    ...screen(() => import('../pages/processes/ComparePage')),
  },
  {
    path: '/processes/:key/live',
    title: 'Where running instances are now',
    roles: MANAGERS,
    ...screen(() => import('../pages/processes/HeatMapPage')),
  },
  {
    path: '/instances',
    title: 'Instances',
    roles: MANAGERS,
    ...screen(() => import('../pages/instances/InstancesPage')),
  },
  {
    path: '/instances/:id',
    title: 'Instance',
    roles: MANAGERS,
    ...screen(() => import('../pages/instances/InstancePage')),
  },
  {
    path: '/mailbox',
    title: 'Mailbox',
    roles: MANAGERS,
    ...screen(() => import('../pages/mailbox/MailboxPage')),
  },
  {
    path: '/mailbox/:id',
    title: 'Email',
    roles: MANAGERS,
    ...screen(() => import('../pages/mailbox/MailPage')),
  },
  {
    path: '/coverage',
    title: 'Immunisation coverage',
    roles: REPORTS,
    ...screen(() => import('../pages/reports/CoveragePage')),
  },
];

export interface NavItem {
  label: string;
  to: string;
  roles: readonly Role[];
}

/** The header navigation, in order; each person sees the items of their role. */
export const NAV: readonly NavItem[] = [
  { label: 'Processes', to: '/processes', roles: MANAGERS },
  { label: 'Instances', to: '/instances', roles: MANAGERS },
  { label: 'Safeguarding dashboard', to: '/safeguarding', roles: LEADS },
  { label: 'My work', to: '/my-work', roles: CASEWORK },
  { label: 'Find a child', to: '/children', roles: CASEWORK },
  { label: 'Concerns', to: '/concerns', roles: CONCERNS },
  { label: 'Break-glass alerts', to: '/alerts', roles: LEADS },
  { label: 'Team workload', to: '/team', roles: LEADS },
  { label: 'Coverage', to: '/coverage', roles: REPORTS },
  { label: 'Mailbox', to: '/mailbox', roles: MANAGERS },
];

export function navFor(role: Role): NavItem[] {
  return NAV.filter((item) => item.roles.includes(role));
}

/** Where `/` takes each role: its first navigation item. */
export function homeFor(role: Role): string | null {
  return navFor(role)[0]?.to ?? null;
}

export const NOT_FOUND = lazy(() => import('../pages/NotFoundPage'));
