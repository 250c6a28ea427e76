// A certified OpenID provider (npm oidc-provider) for the SSO tests, on loopback only.
// Configured from the environment by tests/support/oidc/__init__.py; prints "ready" when serving.
import Provider from "oidc-provider";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const port = Number(env("OIDC_PORT"));
const issuer = `http://127.0.0.1:${port}`;
const user = {
  email: env("OIDC_USER_EMAIL"),
  email_verified: true,
  name: env("OIDC_USER_NAME"),
};

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: env("OIDC_CLIENT_ID"),
      client_secret: env("OIDC_CLIENT_SECRET"),
      redirect_uris: [env("OIDC_REDIRECT_URI")],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_post",
    },
  ],
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
  // The development login and consent pages: any login name signs in as the test user.
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => true },
  cookies: { keys: [env("OIDC_CLIENT_SECRET")] },
  findAccount: async (_ctx, sub) => ({
    accountId: sub,
    claims: async () => ({ sub, ...user }),
  }),
});

provider.listen(port, "127.0.0.1", () => {
  console.log("ready");
});
