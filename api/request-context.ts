import type { Request, Response } from 'express';
import type { StaffPrincipal } from '../records/staff';
import { ApiError } from './api-error';
import type { CaseWorkDependencies } from './case-work-deps';

/** Set by the authenticate middleware when the request carries a live session cookie. */
export interface SessionLocals {
  principal: StaffPrincipal;
  csrfToken: string;
  sessionHash: string;
}

/** Everything a route handler may use about the request, in one object. */
export interface RequestContext {
  deps: CaseWorkDependencies;
  req: Request;
  res: Response;
  session: SessionLocals | null;
  /** Client address (express's req.ip; trusts only the configured proxies). */
  ip: string;
  /** The stated reason for opening a child outside the caller's localities (X-Access-Reason), if any. */
  accessReason: string | null;
  now(): Date;
}

export const ACCESS_REASON_HEADER = 'x-access-reason';
/** Length limits of a stated access reason. */
export const ACCESS_REASON_MIN = 10;
export const ACCESS_REASON_MAX = 500;

/** The signed-in member of staff; routes other than public ones are only reached with one. */
export function me(ctx: RequestContext): StaffPrincipal {
  if (!ctx.session) throw ApiError.unauthorized();
  return ctx.session.principal;
}

/** The caller's groups for candidate-group matching: team codes and role name. */
export function groupsOf(principal: StaffPrincipal): string[] {
  return [...principal.teamCodes, principal.role];
}
