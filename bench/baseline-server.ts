// The baseline: a bare oidc-provider (the version Sesame depends on) with its in-memory adapter,
// its development signing keys, and an interaction URL that at once finishes login and consent
// for one fixed account. Same clients, scopes, claims and refresh-token rotation as Sesame's run.
//   node bench/baseline-server.ts '{"port":…,"clients":[…]}'
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import Provider, { type ClientMetadata } from 'oidc-provider';
import { SCOPE_CLAIMS } from '../src/oidc/claims.ts';

interface BaselineOptions {
  port: number;
  clients: ClientMetadata[];
}

const options = JSON.parse(process.argv[2] ?? '{}') as BaselineOptions;
const issuer = `http://127.0.0.1:${options.port}`;
const ACCOUNT = 'baseline-account';
const claims = {
  sub: ACCOUNT,
  name: 'Benchmark User',
  given_name: 'Benchmark',
  family_name: 'User',
  preferred_username: 'bench-user',
  nickname: 'bench-user',
  updated_at: Math.floor(Date.now() / 1000),
  email: 'bench-user@example.com',
  email_verified: true,
  groups: ['bench'],
};

const provider = new Provider(issuer, {
  clients: options.clients,
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  claims: SCOPE_CLAIMS,
  scopes: ['openid', 'offline_access', 'profile', 'email', 'groups'],
  conformIdTokenClaims: false,
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
  },
  rotateRefreshToken: true,
  interactions: { url: (_ctx, interaction) => Promise.resolve(`/interaction/${interaction.uid}`) },
  findAccount: (_ctx, sub) =>
    Promise.resolve(sub === ACCOUNT ? { accountId: ACCOUNT, claims: () => claims } : undefined),
});

const handle = provider.callback();
const server = createServer((req, res) => {
  if (!req.url?.startsWith('/interaction/')) {
    void handle(req, res);
    return;
  }
  // The auto-login: no page, the interaction is finished right away with every requested scope.
  void (async () => {
    const details = await provider.interactionDetails(req, res);
    const clientId = details.params.client_id as string;
    const grant =
      (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ??
      new provider.Grant({ accountId: ACCOUNT, clientId });
    const scope = details.params.scope;
    grant.addOIDCScope(typeof scope === 'string' ? scope : 'openid');
    const grantId = await grant.save();
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: ACCOUNT }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
  })().catch((error: unknown) => {
    res.statusCode = 500;
    res.end(String(error));
  });
});
server.keepAliveTimeout = 65_000;
server.listen(options.port, '127.0.0.1');
process.once('SIGTERM', () => server.close(() => process.exit(0)));
