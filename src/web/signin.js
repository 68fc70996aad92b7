// @ts-check
import { api, apiError, byId, landingPage, query, say, setUpHeader, signIn, signOut } from "./app.js";

setUpHeader();
const form = byId("sign-in", HTMLFormElement);
const input = byId("token", HTMLInputElement);
const button = query("button", HTMLButtonElement, form);
const message = byId("message", HTMLElement);
const district = byId("district-sign-in", HTMLElement);
const params = new URLSearchParams(location.search);
// Kept across the trip to the identity provider, which comes back to this page without it.
const NEXT_KEY = "ewis.next";
if (params.has("next")) sessionStorage.setItem(NEXT_KEY, params.get("next") ?? "");
const next = () => sessionStorage.getItem(NEXT_KEY);

/** @type {Readonly<Record<string, string>>} */
const signInErrors = {
  unknown_user: "Your district account is not registered with ewis. Ask your district's ewis administrator to add you.",
  disabled: "Your ewis account is disabled. Ask your district's ewis administrator.",
  failed: "Signing in did not complete. Try again; if it keeps failing, tell your district's ewis administrator.",
};
const error = params.get("signin_error");
if (error !== null) say(message, signInErrors[error] ?? signInErrors.failed, "error");
else if (params.has("expired")) say(message, "Your sign-in is no longer accepted. Sign in again.", "error");
else if (params.has("signed_out")) say(message, "You have signed out.");
else if (params.has("signout_failed")) say(message, "Signing out did not reach the server. Try again, or close every window of this browser to end the sign-in.", "error");

/**
 * Goes on to the page wanted, once `/me` has said who this is. Asked of /me, which reads no
 * student: signing in leaves nothing in the audit trail.
 * @param {{ token: string } | { csrf: string }} how
 * @param {import("./app.js").MeAnswer} me
 */
function enter(how, me) {
  signIn(how, me.reads_students);
  const to = landingPage(next(), me.reads_students);
  sessionStorage.removeItem(NEXT_KEY);
  location.assign(to);
}

/** When the district's sign-in is set up: offer it, and go straight on if this browser is signed in already. */
async function offerDistrictSignIn() {
  /** @type {{ single_sign_on: boolean }} */
  const offered = await api("/sign-in", { token: null });
  if (!offered.single_sign_on) return;
  district.hidden = false;
  if (error !== null || params.has("signed_out") || params.has("signout_failed")) return;
  try {
    /** @type {import("./app.js").MeAnswer} */
    const me = await api("/me", { token: null });
    if (me.signed_in_with === "session" && me.csrf_token) enter({ csrf: me.csrf_token }, me);
  } catch {
    // No session (or it ended): stay here to sign in.
  }
}
offerDistrictSignIn().catch(() => {});

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const token = input.value.trim();
  signOut();
  say(message, "");
  button.disabled = true;
  /** @type {import("./app.js").MeAnswer} */
  let me;
  try {
    me = await api("/me", { token });
  } catch (caught) {
    const error = apiError(caught);
    say(message, error.status === 401 ? "That token was not accepted. Check that you copied all of it, or ask for a new one." : error.message, "error");
    button.disabled = false;
    input.select();
    return;
  }
  enter({ token }, me);
});
