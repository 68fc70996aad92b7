import { generateKeyPairSync, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

/** A person the demo identity provider can sign in: the subject ewis knows them by, and a name. */
export interface DemoAccount {
  subject: string;
  name: string;
}

/** A running demo identity provider: where it is, and the client registered for one ewis. */
export interface DemoIdentityProvider {
  issuer: URL;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
}

export interface DemoIdentityProviderOptions {
  /** Where the ewis being signed in to gets people back: `<public-url>auth/callback`. */
  redirectUri: string;
  accounts: DemoAccount[];
  port?: number;
  host?: string;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The sign-in page a real district's provider would show, with no password: pick one of the
 * demo's people, or type any other subject (to see how ewis refuses someone it does not know).
 */
function loginPage(uid: string, accounts: DemoAccount[]): string {
  const action = `/interaction/${encodeURIComponent(uid)}/login`;
  const buttons = accounts
    .map((a) => `<li><form method="post" action="${action}"><input type="hidden" name="subject" value="${escapeHtml(a.subject)}"><button type="submit">Sign in as ${escapeHtml(a.name)}</button> <code>${escapeHtml(a.subject)}</code></form></li>`)
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Demo district sign-in</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}li{margin:.5rem 0}button{font:inherit;padding:.3rem .8rem}</style></head>
<body><main>
<h1>Demo district sign-in</h1>
<p>This stands in for your district's identity provider (Google Workspace, Entra ID, Clever, ClassLink). It asks for no password: pick who you are.</p>
<ul>
${buttons}
</ul>
<form method="post" action="${action}">
<label for="subject">Someone else (an identity ewis does not know)</label>
<input id="subject" name="subject" required autocomplete="off"> <button type="submit">Sign in</button>
</form>
</main></body></html>`;
}

async function formOf(req: IncomingMessage): Promise<URLSearchParams> {
  let body = "";
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 4096) break;
  }
  return new URLSearchParams(body);
}

/**
 * A real OpenID Connect provider (panva's `oidc-provider`, a development dependency) on this
 * machine, for `ewis serve --demo-sign-in` and the sign-in tests: the same authorization code
 * flow with PKCE, state and nonce a district's provider runs, with one confidential client for
 * the ewis at `redirectUri`. Every account is given its `<subject>@demo.example` email, verified.
 */
export async function startDemoIdentityProvider(options: DemoIdentityProviderOptions): Promise<DemoIdentityProvider> {
  let Provider: typeof import("oidc-provider").default;
  try {
    Provider = (await import("oidc-provider")).default;
  } catch {
    throw new Error("the demo identity provider needs the development dependencies: run `npm install` (not `npm install --omit=dev`)");
  }
  const host = options.host ?? "127.0.0.1";
  const names = new Map(options.accounts.map((a) => [a.subject, a.name]));
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.writeHead(503).end();
  const server: Server = createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const issuer = new URL(`http://${host}:${port}`);
  const clientId = "ewis-demo";
  const clientSecret = randomBytes(24).toString("base64url");

  const provider = new Provider(issuer.origin, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        token_endpoint_auth_method: "client_secret_post",
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
    ],
    async findAccount(_ctx, subject) {
      return {
        accountId: subject,
        async claims() {
          return { sub: subject, email: `${subject}@demo.example`, email_verified: true, name: names.get(subject) ?? subject };
        },
      };
    },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    // The ID token carries the email and name, as Google's and Entra's do, so ewis can match by email.
    conformIdTokenClaims: false,
    jwks: { keys: [generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" }) as import("oidc-provider").JWK] },
    cookies: { keys: [randomBytes(32).toString("base64url")] },
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true },
    // Short-lived, as a district's provider sets them: ewis keeps its own session, not these.
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Grant: 8 * 3600, Session: 8 * 3600 },
    // A district's staff are not asked to consent to their own district's app: grant it at once.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId });
      grant.addOIDCScope("openid email profile");
      await grant.save();
      return grant;
    },
  });
  const callback = provider.callback();
  handle = (req, res) => {
    const match = /^\/interaction\/([^/?]+)(\/login)?(?:\?.*)?$/.exec(req.url ?? "");
    if (!match) return void callback(req, res);
    (async () => {
      const details = await provider.interactionDetails(req, res);
      if (match[2] && req.method === "POST") {
        const subject = (await formOf(req)).get("subject")?.trim();
        if (!subject) return void res.writeHead(400, { "Content-Type": "text/plain" }).end("pick someone to sign in as");
        await provider.interactionFinished(req, res, { login: { accountId: subject } }, { mergeWithLastSubmission: false });
        return;
      }
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" }).end(loginPage(details.uid, options.accounts));
    })().catch((error: Error) => {
      if (!res.headersSent) res.writeHead(400, { "Content-Type": "text/plain" });
      res.end(`demo sign-in: ${error.message}`);
    });
  };
  return {
    issuer,
    clientId,
    clientSecret,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
