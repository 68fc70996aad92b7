// Shared helpers for the pages: token, API fetch, header, DOM builder, words.
const KEY = "ewis.token";

export const signIn = (token) => sessionStorage.setItem(KEY, token);
export const token = () => sessionStorage.getItem(KEY);

/** GET /api/v1<path> with the token: `{ status, body }`, body JSON (or a Blob for CSV). A 401 off the sign-in page goes back to it. */
export async function api(path, { accept = "application/json", redirect = true } = {}) {
  const response = await fetch(`/api/v1${path}`, { headers: { Authorization: `Bearer ${token() ?? ""}`, Accept: accept } });
  if (response.status === 401 && redirect) {
    sessionStorage.clear();
    location.href = "index.html";
  }
  let body = null;
  if (response.headers.get("content-type")?.includes("json")) body = await response.json();
  else if (response.ok) body = await response.blob();
  return { status: response.status, body };
}

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function pageHeader(title) {
  if (!token()) {
    location.href = "index.html";
    return;
  }
  const signOut = el("a", { href: "index.html" }, "Sign out");
  signOut.addEventListener("click", () => sessionStorage.clear());
  document.body.prepend(el("header", {}, el("strong", {}, `ewis · ${title}`), el("nav", {}, el("a", { href: "list.html" }, "Risk list"), el("a", { href: "rollup.html" }, "Rollups"), signOut)));
}

export function showError(container, message) {
  container.replaceChildren(el("p", { role: "alert", class: "error" }, message));
}

export const milestoneNames = {
  early_literacy: "Reading by grade 3",
  middle_readiness: "ELA and math by grade 6",
  ninth_grade_success: "Passing every grade 9 course",
  on_time_graduation: "Graduating on time",
  postsecondary_enrollment: "Enrolling in college",
};

export const percent = (x) => `${Math.round(x * 100)} %`;
export const changeText = { up: "▲ up", down: "▼ down", new: "new", same: "same" };
export const tierBadge = (tier) => el("span", { class: `tier tier-${tier}` }, tier);
export const driverList = (drivers) =>
  drivers.length ? el("ul", { class: "drivers" }, drivers.map((d) => el("li", {}, d.text))) : el("span", { class: "muted" }, "nothing stands out");
