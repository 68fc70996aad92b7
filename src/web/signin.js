import { api, showError, signIn } from "./app.js";

document.getElementById("sign-in").addEventListener("submit", async (event) => {
  event.preventDefault();
  signIn(document.getElementById("token").value.trim());
  const terms = await api("/terms", { redirect: false });
  if (terms.status !== 200) {
    sessionStorage.clear();
    showError(document.getElementById("message"), "That token was not accepted. Check it and try again.");
    return;
  }
  // Who may read students goes to the risk list; others to the rollups.
  const students = await api("/students?limit=1", { redirect: false });
  location.href = students.status === 200 ? "list.html" : "rollup.html";
});
