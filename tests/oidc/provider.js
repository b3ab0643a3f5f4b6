// A real OpenID Connect provider (panva/oidc-provider) standing in for SSO ASN in the tests.
//
// Environment: OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URIS (comma list) and
// OIDC_ACCOUNTS, a JSON object {login: {claim: value, ...}}: typing that login (any
// password) on the provider's own sign-in page signs in as that account. Listens on a
// free port of 127.0.0.1 and prints one JSON line {"issuer": "..."} once it answers.
// The built-in development interaction pages are the "SSO ASN" sign-in and consent pages.
import http from 'node:http';

import Provider from 'oidc-provider';

const accounts = JSON.parse(process.env.OIDC_ACCOUNTS || '{}');
const server = http.createServer();

server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: process.env.OIDC_CLIENT_ID,
      client_secret: process.env.OIDC_CLIENT_SECRET,
      redirect_uris: process.env.OIDC_REDIRECT_URIS.split(','),
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    // As SSO ASN should be configured for us: PKCE on every authorization request.
    pkce: { required: () => true },
    // Like Keycloak, put the profile claims in the ID token itself.
    conformIdTokenClaims: false,
    claims: { openid: ['sub'], profile: ['name', 'preferred_username', 'nip'] },
    cookies: { keys: ['test-only-cookie-key'] },
    async findAccount(ctx, id) {
      if (!Object.hasOwn(accounts, id)) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...accounts[id] }) };
    },
  });
  server.on('request', provider.callback());
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
