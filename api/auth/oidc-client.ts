import { createHash, createPublicKey, randomBytes, verify, type JsonWebKey } from 'node:crypto';
import type { AuthConfig } from '../../core/config';

type OidcConfig = NonNullable<AuthConfig['oidc']>;

/** Why an OpenID Connect sign-in failed; the API answers 401 with this reason. */
export class OidcError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OidcError';
  }
}

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
}

export interface IdTokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  nonce?: string;
  azp?: string;
  email?: string;
  [claim: string]: unknown;
}

const CACHE_MS = 3600_000;
const CLOCK_SKEW_S = 60;
const discoveries = new Map<string, { at: number; value: Discovery }>();
const keySets = new Map<string, { at: number; keys: Array<JsonWebKey & { kid?: string }> }>();

const b64url = (buffer: Buffer) => buffer.toString('base64url');

async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new OidcError(`the identity provider is unreachable (${(error as Error).message})`);
  }
  if (!response.ok)
    throw new OidcError(`the identity provider answered ${response.status} at ${new URL(url).pathname}`);
  return (await response.json()) as T;
}

async function discover(config: OidcConfig): Promise<Discovery> {
  const cached = discoveries.get(config.issuer);
  if (cached && Date.now() - cached.at < CACHE_MS) return cached.value;
  const value = await getJson<Discovery>(`${config.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (value.issuer !== config.issuer)
    throw new OidcError(`the provider's issuer ${value.issuer} is not the configured ${config.issuer}`);
  discoveries.set(config.issuer, { at: Date.now(), value });
  return value;
}

async function signingKey(jwksUri: string, kid: string | undefined): Promise<JsonWebKey> {
  for (const refresh of [false, true]) {
    let set = keySets.get(jwksUri);
    if (refresh || !set || Date.now() - set.at > CACHE_MS) {
      const { keys } = await getJson<{ keys: Array<JsonWebKey & { kid?: string }> }>(jwksUri);
      set = { at: Date.now(), keys };
      keySets.set(jwksUri, set);
    }
    const key = set.keys.find((k) => (kid ? k.kid === kid : true) && (k.use === undefined || k.use === 'sig'));
    if (key) return key;
  }
  throw new OidcError(`the provider has no signing key ${kid ?? ''}`.trim());
}

/** A new sign-in: state, nonce and PKCE verifier, and the provider URL to send the browser to. */
export async function beginOidcLogin(
  config: OidcConfig,
): Promise<{ state: string; nonce: string; codeVerifier: string; url: string }> {
  const discovery = await discover(config);
  const state = b64url(randomBytes(32));
  const nonce = b64url(randomBytes(32));
  const codeVerifier = b64url(randomBytes(32));
  const url = new URL(discovery.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    scope: 'openid profile email',
    state,
    nonce,
    code_challenge: b64url(createHash('sha256').update(codeVerifier).digest()),
    code_challenge_method: 'S256',
  }).toString();
  return { state, nonce, codeVerifier, url: url.toString() };
}

function verifySignature(alg: string, key: JsonWebKey, signingInput: string, signature: Buffer): boolean {
  const publicKey = createPublicKey({ key, format: 'jwk' });
  switch (alg) {
    case 'RS256':
      return verify('sha256', Buffer.from(signingInput), publicKey, signature);
    case 'PS256':
      return verify(
        'sha256',
        Buffer.from(signingInput),
        { key: publicKey, padding: 6 /* RSA_PKCS1_PSS_PADDING */, saltLength: 32 },
        signature,
      );
    case 'ES256':
      return verify('sha256', Buffer.from(signingInput), { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature);
    default:
      throw new OidcError(`the ID token is signed with ${alg}, which is not accepted`);
  }
}

/** Checks signature, issuer, audience, expiry and nonce of an ID token; returns its claims. */
export async function verifyIdToken(
  config: OidcConfig,
  jwksUri: string,
  idToken: string,
  nonce: string,
  nowSeconds = Date.now() / 1000,
): Promise<IdTokenClaims> {
  const parts = idToken.split('.');
  if (parts.length !== 3) throw new OidcError('the ID token is not a JWT');
  let header: { alg: string; kid?: string };
  let claims: IdTokenClaims;
  try {
    header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    throw new OidcError('the ID token is not a JWT');
  }
  const key = await signingKey(jwksUri, header.kid);
  if (!verifySignature(header.alg, key, `${parts[0]}.${parts[1]}`, Buffer.from(parts[2], 'base64url'))) {
    throw new OidcError('the ID token signature is not valid');
  }
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (claims.iss !== config.issuer) throw new OidcError('the ID token comes from another issuer');
  if (!audiences.includes(config.clientId) || (audiences.length > 1 && claims.azp !== config.clientId))
    throw new OidcError('the ID token is for another client');
  if (typeof claims.exp !== 'number' || claims.exp < nowSeconds - CLOCK_SKEW_S)
    throw new OidcError('the ID token has expired');
  if (typeof claims.iat === 'number' && claims.iat > nowSeconds + CLOCK_SKEW_S)
    throw new OidcError('the ID token is issued in the future');
  if (claims.nonce !== nonce) throw new OidcError('the ID token does not belong to this sign-in (nonce)');
  if (typeof claims.sub !== 'string' || claims.sub.length === 0) throw new OidcError('the ID token has no subject');
  return claims;
}

/** Exchanges the authorization code (with the PKCE verifier) and verifies the ID token. */
export async function finishOidcLogin(
  config: OidcConfig,
  code: string,
  codeVerifier: string,
  nonce: string,
): Promise<IdTokenClaims> {
  const discovery = await discover(config);
  const basic = Buffer.from(
    `${encodeURIComponent(config.clientId)}:${encodeURIComponent(config.clientSecret)}`,
  ).toString('base64');
  const tokens = await getJson<{ id_token?: string }>(discovery.token_endpoint, {
    method: 'POST',
    headers: {
      authorization: `Basic ${basic}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: config.redirectUri,
      code_verifier: codeVerifier,
    }).toString(),
  });
  if (!tokens.id_token) throw new OidcError('the token response has no ID token');
  return verifyIdToken(config, discovery.jwks_uri, tokens.id_token, nonce);
}
