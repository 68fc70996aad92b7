import { rm } from "node:fs/promises";
import { dirname } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.ts";
import { publishedStore } from "../support/serviceFixture.ts";

/**
 * `ewis serve`'s sign-in settings, refused before anything is served, each with what to do: a
 * provider over plain HTTP elsewhere than this machine, one that cannot be reached, a missing
 * client id, a public URL that is not one.
 */
let db: string;
beforeAll(async () => {
  db = await publishedStore("ewis-sign-in-settings-");
}, 60_000);
afterAll(async () => {
  if (db) await rm(dirname(db), { recursive: true, force: true });
});

async function serveRefused(...args: string[]): Promise<{ code: number; errors: string[] }> {
  const errors: string[] = [];
  const spy = vi.spyOn(console, "error").mockImplementation((line: unknown) => void errors.push(String(line)));
  try {
    const code = await main(["node", "ewis", "serve", "--db", db, "--port", "0", ...args], () => {});
    return { code, errors };
  } finally {
    spy.mockRestore();
  }
}

describe("ewis serve's sign-in settings", () => {
  it.each([
    [["--oidc-issuer", "http://idp.district.example.org", "--oidc-client-id", "ewis"], /--oidc-issuer must be https \(only a provider on this machine may use http\), got http:\/\/idp\.district\.example\.org\//],
    [["--oidc-issuer", "https://idp.district.example.org"], /--oidc-issuer needs --oidc-client-id/],
    [["--oidc-issuer", "not a url", "--oidc-client-id", "ewis"], /--oidc-issuer must be the provider's issuer URL, got "not a url"/],
    [["--oidc-issuer", "http://127.0.0.1:9/", "--oidc-client-id", "ewis"], /could not read the identity provider's discovery document at http:\/\/127\.0\.0\.1:9\//],
    [["--demo-sign-in", "--oidc-issuer", "https://idp.district.example.org"], /--demo-sign-in starts its own identity provider/],
    [["--public-url", "ftp://ewis.example.org/"], /--public-url must be an http or https address, got "ftp:\/\/ewis\.example\.org\/"/],
  ])("refuses %j", async (args, message) => {
    const { code, errors } = await serveRefused(...args);
    expect(code).toBe(2);
    expect(errors.join("\n")).toMatch(message);
  });

  it("refuses a session longer than a week", async () => {
    const { code, errors } = await serveRefused("--demo-sign-in", "--session-hours", "200");
    expect(code).toBe(2);
    expect(errors.join("\n")).toMatch(/--session-hours must be more than 0 and at most 168, got 200/);
  });
});
