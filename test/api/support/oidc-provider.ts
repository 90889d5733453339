import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type { Server } from 'node:http';
import express from 'express';

/** How the next ID token is spoiled, to see the client refuse it. */
export type Tamper = 'none' | 'signature' | 'audience' | 'expired' | 'nonce' | 'issuer';

/**
 * A tiny OpenID Connect provider for tests: discovery, an authorize endpoint that signs in
 * `nextSubject` at once, a token endpoint that checks client secret, redirect URI and PKCE,
 * and a JWKS with one RSA key.
 */
export class TestOidcProvider {
  nextSubject = 'nobody';
  nextEmail: string | undefined;
  tamper: Tamper = 'none';
  issuer = '';
  private server: Server | undefined;
  private readonly privateKey: KeyObject;
  private readonly jwk: object;
  private readonly codes = new Map<
    string,
    { nonce: string; challenge: string; redirectUri: string; subject: string; email?: string }
  >();

  constructor(
    readonly clientId: string,
    readonly clientSecret: string,
  ) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = privateKey;
    this.jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' };
  }

  async start(): Promise<string> {
    const app = express();
    app.use(express.urlencoded({ extended: false }));
    app.get('/.well-known/openid-configuration', (_req, res) => {
      res.json({
        issuer: this.issuer,
        authorization_endpoint: `${this.issuer}/authorize`,
        token_endpoint: `${this.issuer}/token`,
        jwks_uri: `${this.issuer}/jwks`,
      });
    });
    app.get('/jwks', (_req, res) => {
      res.json({ keys: [this.jwk] });
    });
    app.get('/authorize', (req, res) => {
      const q = req.query as Record<string, string>;
      if (
        q.client_id !== this.clientId ||
        q.response_type !== 'code' ||
        q.code_challenge_method !== 'S256' ||
        !q.nonce ||
        !q.state
      ) {
        res.status(400).send('bad authorization request');
        return;
      }
      const code = randomBytes(16).toString('hex');
      this.codes.set(code, {
        nonce: q.nonce,
        challenge: q.code_challenge,
        redirectUri: q.redirect_uri,
        subject: this.nextSubject,
        email: this.nextEmail,
      });
      const back = new URL(q.redirect_uri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.state);
      back.searchParams.set('session_state', 'abc');
      res.redirect(302, back.toString());
    });
    app.post('/token', (req, res) => {
      const [id, secret] = Buffer.from((req.get('authorization') ?? '').replace(/^Basic /, ''), 'base64')
        .toString()
        .split(':')
        .map(decodeURIComponent);
      const grant = this.codes.get(req.body.code);
      this.codes.delete(req.body.code);
      const verifierMatches =
        grant &&
        createHash('sha256')
          .update(req.body.code_verifier ?? '')
          .digest('base64url') === grant.challenge;
      if (id !== this.clientId || secret !== this.clientSecret)
        return void res.status(401).json({ error: 'invalid_client' });
      if (
        !grant ||
        !verifierMatches ||
        req.body.redirect_uri !== grant.redirectUri ||
        req.body.grant_type !== 'authorization_code'
      ) {
        return void res.status(400).json({ error: 'invalid_grant' });
      }
      res.json({
        access_token: 'at',
        token_type: 'Bearer',
        expires_in: 300,
        id_token: this.idToken(grant.subject, grant.nonce, grant.email),
      });
    });
    return new Promise((resolve) => {
      this.server = app.listen(0, '127.0.0.1', () => {
        const address = this.server!.address() as { port: number };
        this.issuer = `http://127.0.0.1:${address.port}`;
        resolve(this.issuer);
      });
    });
  }

  private idToken(subject: string, nonce: string, email?: string): string {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: this.tamper === 'issuer' ? 'https://evil.example' : this.issuer,
      sub: subject,
      aud: this.tamper === 'audience' ? 'another-client' : this.clientId,
      iat: now,
      exp: this.tamper === 'expired' ? now - 3600 : now + 300,
      nonce: this.tamper === 'nonce' ? 'not-the-nonce' : nonce,
      ...(email ? { email } : {}),
    };
    const encode = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const input = `${encode({ alg: 'RS256', typ: 'JWT', kid: 'test-key' })}.${encode(claims)}`;
    let signature = sign('sha256', Buffer.from(input), this.privateKey);
    if (this.tamper === 'signature') signature = Buffer.from(signature.map((b, i) => (i === 0 ? b ^ 0xff : b)));
    return `${input}.${signature.toString('base64url')}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
