// @ts-check
import { api, apiError, byId, query, say, setUpHeader, signIn, signOut } from "./app.js";

setUpHeader();
const form = byId("sign-in", HTMLFormElement);
const input = byId("token", HTMLInputElement);
const button = query("button", HTMLButtonElement, form);
const message = byId("message", HTMLElement);

if (new URLSearchParams(location.search).has("expired")) say(message, "Your token is no longer accepted. Sign in again.", "error");

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
  // Whoever may read students starts at the risk list; the others at the rollups. Asked of
  // /me, which reads no student: signing in leaves nothing in the audit trail.
  signIn(token, me.reads_students);
  location.assign(me.reads_students ? "list.html" : "rollup.html");
});
