/**
 * The shapes of the API's responses the UI reads, as documented in /api/openapi.json
 * (the response schemas in api/routes/*). Kept by hand until types are generated from it.
 */
export type Role = 'caseworker' | 'safeguarding_lead' | 'service_manager' | 'administrator' | 'integration';

export interface Locality {
  id: number;
  code: string;
  name: string;
}

export interface Principal {
  username: string;
  displayName: string;
  role: Role;
  localityIds: number[];
  teams: string[];
  localities: Locality[];
}

export interface Me {
  user: Principal;
  csrfToken: string;
  sessionIdleMinutes: number;
}

export interface AuthOptions {
  oidc: { enabled: boolean; label: string };
  sessionIdleMinutes: number;
}

export type SafeguardingAlert = 'none' | 'concern' | 'child_protection_plan' | 'looked_after';

/** What a list row or a task shows about its child (only for children the caller may see). */
export interface ChildSummary {
  nhsNumber: string;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  sex: string;
  postcode: string;
  locality: string;
  status: string;
  safeguardingAlert: SafeguardingAlert;
}
