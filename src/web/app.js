/**
 * What every page shares: the token in sessionStorage, the API fetch, the header, a small DOM
 * builder (text only, never innerHTML, so no value from the API is ever parsed as markup) and
 * the words for milestones, tiers, changes and subgroups.
 */
const TOKEN_KEY = "ewis.token";
const STUDENTS_KEY = "ewis.readsStudents";

export const getToken = () => sessionStorage.getItem(TOKEN_KEY);

export function signIn(token, readsStudents) {
  sessionStorage.setItem(TOKEN_KEY, token);
  sessionStorage.setItem(STUDENTS_KEY, readsStudents ? "1" : "0");
}

export function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(STUDENTS_KEY);
}

export const readsStudents = () => sessionStorage.getItem(STUDENTS_KEY) === "1";

/** An answer of the API other than 2xx, with its `{ error: { code, message } }` body when there is one. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * GET `/api/v1<path>` with the token. Resolves the parsed JSON (or the Response itself when
 * `raw`); rejects with an ApiError. A 401 on a page other than sign-in means the token was
 * revoked: back to sign-in.
 */
export async function api(path, { token = getToken(), accept = "application/json", raw = false } = {}) {
  let response;
  try {
    response = await fetch(`/api/v1${path}`, { headers: { Authorization: `Bearer ${token}`, Accept: accept } });
  } catch {
    throw new ApiError(0, "network", "Could not reach the server. Check your connection and try again.");
  }
  if (response.ok) return raw ? response : response.json();
  let code = "http_error";
  let message = `The server answered ${response.status}.`;
  try {
    const body = await response.json();
    code = body.error?.code ?? code;
    message = body.error?.message ?? message;
  } catch {
    // not JSON: keep the status line
  }
  if (response.status === 401 && token === getToken() && !document.getElementById("sign-in")) {
    signOut();
    location.replace("index.html?expired=1");
  }
  throw new ApiError(response.status, code, message);
}

/** For every page but sign-in: no token, no page. Returns false when it is leaving. */
export function requireSignIn() {
  if (getToken()) return true;
  location.replace("index.html");
  return false;
}

/** The header's navigation and sign-out link, present in every page's HTML. */
export function setUpHeader() {
  const signedIn = getToken() !== null;
  for (const link of document.querySelectorAll("[data-sign-out]")) {
    link.hidden = !signedIn;
    link.addEventListener("click", () => signOut());
  }
  for (const link of document.querySelectorAll("[data-nav]")) {
    link.hidden = !signedIn || (link.dataset.nav === "students" && !readsStudents());
    if (location.pathname.endsWith(link.getAttribute("href"))) link.setAttribute("aria-current", "page");
  }
}

/** `el("td", { class: "x" }, "text", child)`: attributes, then children (strings become text). */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** A message in a page's status region (role="status" or "alert" in the HTML). */
export function say(region, message, kind = "info") {
  region.textContent = message;
  region.dataset.kind = kind;
  region.hidden = message === "";
}

/** The labels of `src/core/milestones.ts`, in its order (`test/e2e/web.test.ts` holds the two equal). */
export const milestoneWords = {
  early_literacy: "Reading by grade 3",
  early_literacy_repeat: "Reading in a repeated grade 3",
  middle_readiness: "ELA and math by grade 6",
  middle_readiness_repeat: "ELA and math in a repeated grade 6",
  ninth_grade_success: "Passing every grade 9 course",
  ninth_grade_success_repeat: "Passing every course in a repeated grade 9",
  on_time_graduation: "Graduating on time",
  five_year_graduation: "Graduating in a fifth year",
  late_graduation: "Graduating this year (sixth year or later)",
  postsecondary_enrollment: "Enrolling in college",
  postsecondary_readiness: "College without remedial courses",
  postsecondary_persistence: "Persisting into a second year of college",
};
export const milestoneName = (m) => milestoneWords[m] ?? m;

/** 2027 fall is "2026–27 fall": school years are named by the year they end. */
export const termName = (t) => `${t.school_year - 1}–${String(t.school_year).slice(-2)} ${t.label}`;

/** A risk as a percentage; the ends are bounded rather than rounded to a certainty. */
export function riskPercent(risk) {
  const p = risk * 100;
  if (p < 1) return "< 1 %";
  if (p > 99) return "> 99 %";
  return `${Math.round(p)} %`;
}

export const sharePercent = (share) => `${Math.round(share * 100)} %`;

export const tierWords = { low: "low", moderate: "moderate", high: "high" };

export function tierBadge(tier) {
  return el("span", { class: `tier tier-${tier}` }, tierWords[tier] ?? tier);
}

const changeMarks = {
  up: { mark: "▲ up", title: "higher tier than last term" },
  down: { mark: "▼ down", title: "lower tier than last term" },
  new: { mark: "new", title: "not scored for this milestone last term" },
  same: { mark: "same", title: "same tier as last term" },
};

export function changeMark(change, previousTier) {
  const c = changeMarks[change] ?? { mark: change, title: "" };
  const title = previousTier ? `${c.title} (was ${previousTier})` : c.title;
  return el("span", { class: `change change-${change}`, title }, c.mark);
}

export const subgroupWords = {
  all: "Everyone",
  low_income: "Low income",
  ell: "English learner",
  former_ell: "Former English learner",
  sped: "IEP (special education)",
  homeless: "Homeless",
  foster_care: "Foster care",
  race_ethnicity: "Race / ethnicity",
  gender: "Gender",
};
const raceWords = { A: "Asian", B: "Black", H: "Hispanic/Latino", M: "Multi-race", N: "Native American", P: "Pacific Islander", W: "White" };
const genderWords = { F: "Female", M: "Male", N: "Non-binary" };

export function subgroupValueName(dimension, value) {
  if (value === "unknown") return "Not reported";
  if (dimension === "all") return "All students";
  if (dimension === "race_ethnicity") return raceWords[value] ?? value;
  if (dimension === "gender") return genderWords[value] ?? value;
  if (value === "1") return "Yes";
  if (value === "0") return "No";
  return value;
}

/** Saves a Blob under a file name: a plain link could not carry the Bearer header. */
export function saveBlob(blob, fileName) {
  const url = URL.createObjectURL(blob);
  const link = el("a", { href: url, download: fileName, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The file name from `Content-Disposition: attachment; filename=...`, or a fallback. */
export function attachmentName(response, fallback) {
  const header = response.headers.get("Content-Disposition") ?? "";
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(header);
  return match ? decodeURIComponent(match[1]) : fallback;
}
