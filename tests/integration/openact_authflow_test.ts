/**
 * AuthFlow end to end: the real server (real CredVault) and CLI against a loopback OAuth2
 * provider that checks PKCE S256, client authentication, and issues/rotates tokens.
 */
import assert from "node:assert/strict";
import { runCli, startServer } from "../helpers/server.ts";
import { startStub } from "../helpers/openact_stubs.ts";

async function s256(verifier: string) {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  return btoa(String.fromCharCode(...d)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function oauthProvider(options: { expiresIn: number }) {
  const codes = new Map<string, { challenge: string; redirectUri: string }>();
  const valid = new Set<string>();
  const refreshTokens = new Set<string>();
  const grants: string[] = [];
  let n = 0;
  const issue = (withRefresh: boolean) => {
    const access = `at-${++n}-${crypto.randomUUID()}`;
    valid.add(access);
    const body: Record<string, unknown> = {
      access_token: access,
      token_type: "Bearer",
      expires_in: options.expiresIn,
      scope: "read",
    };
    if (withRefresh) {
      const rt = `rt-${n}-${crypto.randomUUID()}`;
      refreshTokens.add(rt);
      body.refresh_token = rt;
    }
    return body;
  };
  const handler = async (req: Request) => {
    const url = new URL(req.url);
    if (url.pathname === "/authorize") {
      const q = url.searchParams;
      if (
        q.get("code_challenge_method") !== "S256" || q.get("client_id") !== "cid" ||
        q.get("response_type") !== "code"
      ) {
        return new Response("bad authorize request", { status: 400 });
      }
      const code = crypto.randomUUID();
      codes.set(code, { challenge: q.get("code_challenge")!, redirectUri: q.get("redirect_uri")! });
      const back = new URL(q.get("redirect_uri")!);
      back.searchParams.set("code", code);
      back.searchParams.set("state", q.get("state")!);
      return new Response(null, { status: 302, headers: { location: back.href } });
    }
    if (url.pathname === "/token") {
      const form = new URLSearchParams(await req.text());
      const grant = form.get("grant_type")!;
      grants.push(grant);
      if (req.headers.get("authorization") !== `Basic ${btoa("cid:client-secret-value")}`) {
        return Response.json({ error: "invalid_client" }, { status: 401 });
      }
      if (grant === "authorization_code") {
        const entry = codes.get(form.get("code")!);
        codes.delete(form.get("code")!);
        if (!entry || entry.redirectUri !== form.get("redirect_uri")) {
          return Response.json({ error: "invalid_grant" }, { status: 400 });
        }
        if (await s256(form.get("code_verifier") ?? "") !== entry.challenge) {
          return Response.json({ error: "invalid_grant", error_description: "PKCE verification failed" }, {
            status: 400,
          });
        }
        return Response.json(issue(true));
      }
      if (grant === "refresh_token") {
        if (!refreshTokens.has(form.get("refresh_token")!)) {
          return Response.json({ error: "invalid_grant" }, { status: 400 });
        }
        return Response.json(issue(false)); // no new refresh token: the client keeps the old one
      }
      if (grant === "client_credentials") return Response.json(issue(false));
      return Response.json({ error: "unsupported_grant_type" }, { status: 400 });
    }
    if (url.pathname === "/api/me") {
      const token = req.headers.get("authorization")?.replace(/^Bearer /, "") ?? "";
      if (!valid.has(token)) return Response.json({ error: "invalid_token" }, { status: 401 });
      return Response.json({ user: "ada", token: token.split("-").slice(0, 2).join("-") });
    }
    return new Response("not found", { status: 404 });
  };
  return { handler, valid, grants };
}

Deno.test("AuthFlow: code + PKCE via the callback, token in CredVault, refresh on 401 and on demand", async () => {
  const provider = oauthProvider({ expiresIn: 3600 });
  const stub = await startStub((req) => provider.handler(req));
  const server = await startServer();
  const cli = (...args: string[]) => runCli(args, { server });
  try {
    const secret = await server.json("POST", "/api/v1/secrets", {
      name: "oauth-client",
      type: "password",
      value: "client-secret-value",
    });
    assert.equal(secret.status, 201, JSON.stringify(secret.body));
    const settings = {
      baseUrl: stub.url,
      allowPrivateNetwork: true,
      auth: {
        type: "oauth2",
        grant: "authorization_code",
        authorizeUrl: `${stub.url}/authorize`,
        tokenUrl: `${stub.url}/token`,
        clientId: "cid",
        clientSecretCredential: "oauth-client",
        scopes: ["read"],
      },
    };
    let r = await cli(
      "act",
      "conn",
      "create",
      "provider",
      "--kind",
      "http",
      "--settings",
      JSON.stringify(settings),
    );
    assert.equal(r.code, 0, r.stderr);
    r = await cli(
      "act",
      "action",
      "create",
      "me",
      "--connection",
      "provider",
      "--operation",
      "get",
      "--parameters",
      '{"path":"/api/me"}',
    );
    assert.equal(r.code, 0, r.stderr);

    r = await cli("act", "execute", "http.me");
    assert.equal(r.code, 4, "no token yet: 401-class failure");
    assert.match(r.stderr, /aio act auth start/);

    r = await cli("act", "auth", "start", "provider");
    assert.equal(r.code, 0, r.stderr);
    const authorizeUrl = /https?:\/\/\S+\/authorize\S+/.exec(r.stdout)![0];
    const u = new URL(authorizeUrl);
    assert.equal(u.searchParams.get("code_challenge_method"), "S256");
    assert.equal(u.searchParams.get("redirect_uri"), `${server.url}/api/v1/authflow/callback`);
    assert.equal(
      (await cli("-o", "json", "act", "auth", "status", "provider")).stdout.includes('"pending"'),
      true,
    );

    // The "browser": the provider redirects to the server's public callback.
    const consent = await fetch(authorizeUrl, { redirect: "manual" });
    const callback = consent.headers.get("location")!;
    const done = await fetch(callback, { headers: { accept: "application/json" } });
    assert.equal(done.status, 200, await done.clone().text());
    assert.deepEqual(await done.json(), { connection: "provider", status: "authorized" });
    const replay = await fetch(callback);
    assert.equal(replay.status, 400, "a state is single-use");
    await replay.body?.cancel();

    r = await cli("-o", "json", "act", "auth", "status", "provider");
    const status = JSON.parse(r.stdout);
    assert.equal(status.status, "authorized");
    assert.equal(status.hasRefreshToken, true);
    assert.equal(status.credential, "trn:credvault:default:credential/provider-oauth");
    const meta = await server.json<{ type: string }>("GET", "/api/v1/secrets/provider-oauth");
    assert.equal(meta.body.type, "oauth_token");

    r = await cli("act", "execute", "http.me");
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).body, { user: "ada", token: "at-1" });

    // The provider revokes the access token: the next call gets 401, refreshes once, retries.
    provider.valid.clear();
    r = await cli("act", "execute", "http.me");
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).body, { user: "ada", token: "at-2" });
    assert.deepEqual(provider.grants, ["authorization_code", "refresh_token"]);

    r = await cli("-o", "json", "act", "auth", "refresh", "provider");
    assert.equal(r.code, 0, r.stderr);
    assert.ok(JSON.parse(r.stdout).lastRefreshAt);
    r = await cli("act", "execute", "http.me");
    assert.deepEqual(JSON.parse(r.stdout).body, { user: "ada", token: "at-3" });

    const bad = await fetch(`${server.url}/api/v1/authflow/callback?code=x&state=forged`);
    assert.equal(bad.status, 400);
    assert.match((await bad.json()).detail, /unknown or expired authorization state/);

    const conn = await server.json("GET", "/api/v1/connections/provider");
    assert.equal(JSON.stringify(conn.body).includes("at-"), false);
    assert.equal(/(at|rt)-\d+-[0-9a-f-]{36}/.test(server.logs()), false, "tokens never reach the logs");
    assert.equal(server.logs().includes("client-secret-value"), false);
  } finally {
    await server.stop();
    await stub.close();
  }
});

Deno.test("AuthFlow: client credentials token at start, refreshed before expiry", async () => {
  const provider = oauthProvider({ expiresIn: 30 }); // inside the 60 s refresh window
  const stub = await startStub((req) => provider.handler(req));
  const server = await startServer();
  try {
    await server.json("POST", "/api/v1/secrets", {
      name: "cc-secret",
      type: "password",
      value: "client-secret-value",
    });
    const created = await server.json("POST", "/api/v1/connections", {
      name: "machine",
      kind: "http",
      settings: {
        baseUrl: stub.url,
        allowPrivateNetwork: true,
        auth: {
          type: "oauth2",
          grant: "client_credentials",
          tokenUrl: `${stub.url}/token`,
          clientId: "cid",
          clientSecretCredential: "cc-secret",
        },
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const start = await server.json<{ status: { status: string } }>("POST", "/api/v1/authflow/start", {
      connection: "machine",
    });
    assert.equal(start.status, 200, JSON.stringify(start.body));
    assert.equal(start.body.status.status, "authorized");
    const res = await server.json<{ output: { body: { token: string } } }>(
      "POST",
      "/api/v1/openact/execute",
      {
        connection: "machine",
        operation: "get",
        input: { path: "/api/me" },
      },
    );
    assert.equal(res.status, 200, JSON.stringify(res.body));
    // The stored token expires within the refresh window, so the call refreshed first.
    assert.equal(res.body.output.body.token, "at-2");
    assert.deepEqual(provider.grants, ["client_credentials", "client_credentials"]);
    const notOauth = await server.json<{ detail: string }>("POST", "/api/v1/authflow/start", {
      connection: "nope",
    });
    assert.equal(notOauth.status, 404);
  } finally {
    await server.stop();
    await stub.close();
  }
});
