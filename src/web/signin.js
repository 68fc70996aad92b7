import { api, say, setUpHeader, signIn, signOut } from "./app.js";

setUpHeader();
const form = document.getElementById("sign-in");
const input = document.getElementById("token");
const button = form.querySelector("button");
const message = document.getElementById("message");

if (new URLSearchParams(location.search).has("expired")) say(message, "Your token is no longer accepted. Sign in again.", "error");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const token = input.value.trim();
  signOut();
  say(message, "");
  button.disabled = true;
  try {
    await api("/terms", { token });
  } catch (error) {
    say(message, error.status === 401 ? "That token was not accepted. Check that you copied all of it, or ask for a new one." : error.message, "error");
    button.disabled = false;
    input.select();
    return;
  }
  // Whoever may read students starts at the risk list; the others at the rollups.
  const readsStudents = await api("/students?limit=1", { token }).then(
    () => true,
    () => false,
  );
  signIn(token, readsStudents);
  location.assign(readsStudents ? "list.html" : "rollup.html");
});
