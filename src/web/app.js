// @ts-check
/**
 * What every page shares: who is signed in (a session cookie from the district's sign-in, or an
 * API token kept in sessionStorage), the API fetch, the header, a small DOM builder (text only,
 * never innerHTML, so no value from the API is ever parsed as markup) and the words for
 * milestones, tiers, changes and subgroups.
 */
const TOKEN_KEY = "ewis.token";
const SESSION_KEY = "ewis.session";
const CSRF_KEY = "ewis.csrf";
const STUDENTS_KEY = "ewis.readsStudents";

export const getToken = () => sessionStorage.getItem(TOKEN_KEY);
/** Signed in through the district's identity provider: the HttpOnly cookie goes with every request by itself. */
const bySession = () => sessionStorage.getItem(SESSION_KEY) === "1";
export const isSignedIn = () => getToken() !== null || bySession();

/**
 * Remembers who signed in, in this tab only: their token, or (signed in with the district's
 * account) that a session cookie is in use and the CSRF token a change needs with it.
 * @param {{ token: string } | { csrf: string }} how
 * @param {boolean} readsStudents
 */
export function signIn(how, readsStudents) {
  if ("token" in how) sessionStorage.setItem(TOKEN_KEY, how.token);
  else {
    sessionStorage.setItem(SESSION_KEY, "1");
    sessionStorage.setItem(CSRF_KEY, how.csrf);
  }
  sessionStorage.setItem(STUDENTS_KEY, readsStudents ? "1" : "0");
}

/** Forgets the sign-in in this tab. A session is ended on the server by `signOutEverywhere`. */
export function signOut() {
  for (const key of [TOKEN_KEY, SESSION_KEY, CSRF_KEY, STUDENTS_KEY]) sessionStorage.removeItem(key);
}

/**
 * Signs out and says where to go next: a session is ended on the server first, so its cookie
 * opens nothing even where it was copied; a token is only forgotten (it stays valid until it is
 * revoked or expires, as its holder was told). A tab left open since an earlier sign-in holds
 * an older session's CSRF token: refused with it, sign-out asks the current one and tries again.
 * @returns {Promise<string>} the sign-in page's address to go to
 */
export async function signOutEverywhere() {
  const session = bySession();
  let csrf = sessionStorage.getItem(CSRF_KEY) ?? "";
  signOut();
  if (!session) return "index.html";
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const answer = await fetch("/auth/logout", { method: "POST", headers: { "X-CSRF-Token": csrf } });
      if (answer.ok) return "index.html?signed_out=1";
      if (answer.status !== 403) break;
      const me = await fetch("/api/v1/me");
      if (me.status === 401) return "index.html?signed_out=1"; // no session left to end
      csrf = (await me.json()).csrf_token ?? "";
    } catch {
      break;
    }
  }
  return "index.html?signout_failed=1";
}

export const readsStudents = () => sessionStorage.getItem(STUDENTS_KEY) === "1";

/** An answer of the API other than 2xx, with its `{ error: { code, message } }` body when there is one. */
export class ApiError extends Error {
  /**
   * @param {number} status the HTTP status, 0 when the server could not be reached
   * @param {string} code
   * @param {string} message
   */
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * What a `catch` caught, as an ApiError: itself when it is one, else (a bug in a page, say) one
 * with status 0 and the thrown error's message, so a page can read `status` and `message` alike.
 * @param {unknown} error
 * @returns {ApiError}
 */
export function apiError(error) {
  if (error instanceof ApiError) return error;
  return new ApiError(0, "unexpected", error instanceof Error ? error.message : String(error));
}

/**
 * The API's answers, typed from the server's zod schemas (`src/http/responses.ts`).
 * @typedef {import("zod").infer<typeof import("../http/responses.ts").meResponse>} MeAnswer
 * @typedef {import("zod").infer<typeof import("../http/responses.ts").riskListResponse>} RiskListAnswer
 * @typedef {import("zod").infer<typeof import("../http/responses.ts").studentResponse>} StudentAnswer
 * @typedef {import("zod").infer<typeof import("../http/responses.ts").districtsResponse>} DistrictsAnswer
 * @typedef {import("zod").infer<typeof import("../http/responses.ts").schoolsResponse>} SchoolsAnswer
 * @typedef {import("zod").infer<typeof import("../http/responses.ts").stateRollupResponse>} RollupAnswer
 *   a state's rollup; a district's or a school's has the same fields and one or two more
 * @typedef {StudentAnswer["scores"][number]} Score a score as the student page shows it
 * @typedef {RiskListAnswer["students"][number]} ListedScore a score as the list shows it, with the student's name
 * @typedef {RiskListAnswer["term"]} TermSummary
 */

/**
 * GET `/api/v1<path>` with the token, or with the session cookie when there is none. Resolves
 * the parsed JSON (or the Response itself when `raw`); rejects with an ApiError. A 401 on a page
 * other than sign-in means the token was revoked or the session ended: back to sign-in.
 * A `post` body is sent as JSON, with the session's CSRF token when signed in by cookie.
 * @param {string} path
 * @param {{ token?: string | null, accept?: string, raw?: boolean, post?: unknown }} [options]
 * @returns {Promise<any>} the answer, to be typed by the caller (one of the `…Answer` types above, or a Response when `raw`)
 */
export async function api(path, { token = getToken(), accept = "application/json", raw = false, post } = {}) {
  let response;
  try {
    /** @type {Record<string, string>} */
    const headers = { Accept: accept };
    if (token) headers.Authorization = `Bearer ${token}`;
    /** @type {RequestInit} */
    const init = { headers };
    if (post !== undefined) {
      headers["Content-Type"] = "application/json";
      if (!token) headers["X-CSRF-Token"] = sessionStorage.getItem(CSRF_KEY) ?? "";
      init.method = "POST";
      init.body = JSON.stringify(post);
    }
    response = await fetch(`/api/v1${path}`, init);
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

/**
 * What `byId` and `query` accept as the kind of element wanted: its constructor, e.g. HTMLInputElement.
 * @template {Element} T
 * @typedef {{ new (): T, prototype: T, name: string }} ElementKind
 */

/**
 * @template {Element} T
 * @param {Element | null} node
 * @param {string} what how the element was looked for, for the error
 * @param {ElementKind<T>} kind
 * @returns {T}
 */
function ofKind(node, what, kind) {
  if (node === null) throw new Error(`This page has no element ${what}.`);
  if (!(node instanceof kind)) throw new Error(`The element ${what} is a <${node.localName}>, not a ${kind.name}.`);
  return node;
}

/**
 * The element with this id, of this kind: `byId("token", HTMLInputElement)`. Throws a clear
 * Error when the page has none or it is of another kind.
 * @template {Element} T
 * @param {string} id
 * @param {ElementKind<T>} kind
 * @returns {T}
 */
export const byId = (id, kind) => ofKind(document.getElementById(id), `#${id}`, kind);

/**
 * The first element matching a CSS selector within `root` (the document unless given), of this
 * kind. Throws a clear Error when there is none or it is of another kind.
 * @template {Element} T
 * @param {string} selector
 * @param {ElementKind<T>} kind
 * @param {ParentNode} [root]
 * @returns {T}
 */
export const query = (selector, kind, root = document) => ofKind(root.querySelector(selector), `"${selector}"`, kind);

/**
 * A form's `<select>` of this name (`form.elements[name]`). Throws a clear Error when the form
 * has no such field or it is not a select.
 * @param {HTMLFormElement} form
 * @param {string} name
 * @returns {HTMLSelectElement}
 */
export function selectOf(form, name) {
  const field = form.elements.namedItem(name);
  if (!(field instanceof HTMLSelectElement)) throw new Error(`The form #${form.id} has no <select name="${name}">.`);
  return field;
}

/**
 * For every page but sign-in: not signed in, no page. Returns false when it is leaving for the
 * sign-in page, which comes back here (`next`) once signed in.
 */
export function requireSignIn() {
  if (isSignedIn()) return true;
  const here = location.pathname.split("/").pop() ?? "";
  location.replace(`index.html?next=${encodeURIComponent(here + location.search)}`);
  return false;
}

/**
 * Where to go once signed in: the page that sent here (`next`, only one of ours, so a link
 * cannot send a person elsewhere), else the risk list for whoever reads students, else rollups.
 * @param {string | null} next
 * @param {boolean} students
 */
export function landingPage(next, students) {
  if (next && /^(list|student|rollup|followup)\.html(\?[^#]*)?$/.test(next) && (students || next.startsWith("rollup") || next.startsWith("followup"))) return next;
  return students ? "list.html" : "rollup.html";
}

/**
 * The header every page shares, built here into the page's empty `<header class="bar">`: the
 * brand, the navigation (each link shown only to whoever is signed in, the risk list only to a
 * role that reads students, the current page marked) and the sign-out link.
 */
export function setUpHeader() {
  const signedIn = isSignedIn();
  /** @type {{ href: string, nav: string, text: string }[]} */
  const pages = [
    { href: "list.html", nav: "students", text: "Risk list" },
    { href: "rollup.html", nav: "rollups", text: "Rollups" },
    { href: "followup.html", nav: "followup", text: "Follow-up" },
  ];
  const links = pages.map(({ href, nav, text }) => {
    const link = el("a", { href, dataset: { nav } }, text);
    link.hidden = !signedIn || (nav === "students" && !readsStudents());
    if (location.pathname.endsWith(href)) link.setAttribute("aria-current", "page");
    return link;
  });
  const signOutLink = el("a", { class: "sign-out", href: "index.html", "data-sign-out": true }, "Sign out");
  signOutLink.hidden = !signedIn;
  signOutLink.addEventListener("click", async (event) => {
    event.preventDefault();
    location.assign(await signOutEverywhere());
  });
  query("header.bar", HTMLElement).replaceChildren(
    el("a", { class: "brand", href: "index.html" }, "ewis ", el("span", {}, "early warning")),
    el("nav", { "aria-label": "Pages" }, links),
    signOutLink,
  );
}

/**
 * A child of `el`: a node, or text (a string or number); `null`, `undefined` and `false` are left out.
 * @typedef {Node | string | number | false | null | undefined} Child
 */

/**
 * Attributes of `el`: `true` is an empty attribute, `null`, `undefined` and `false` none; `dataset` is
 * copied to the element's data-* attributes.
 * @typedef {{ [name: string]: string | number | boolean | null | undefined | Record<string, string>, dataset?: Record<string, string> }} Attributes
 */

/**
 * `el("td", { class: "x" }, "text", child)`: attributes, then children (strings become text;
 * an array of children counts as its items).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attributes} [attributes]
 * @param {...(Child | readonly Child[])} children
 * @returns {HTMLElementTagNameMap[K]}
 */
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

/**
 * A message in a page's status region (role="status" or "alert" in the HTML).
 * @param {HTMLElement} region
 * @param {string} message
 * @param {"info" | "error"} [kind]
 */
export function say(region, message, kind = "info") {
  region.textContent = message;
  region.dataset.kind = kind;
  region.hidden = message === "";
}

/** The labels of `src/core/milestones.ts`, in its order (`test/e2e/web.test.ts` holds the two equal). */
/** @type {Readonly<Record<string, string>>} */
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
/** @param {string} m */
export const milestoneName = (m) => milestoneWords[m] ?? m;

/**
 * A roster name as pages show it: "Ana Rivera" on a profile, "Rivera, Ana" in a list sorted by eye.
 * @param {{ first_name: string, last_name: string }} name
 */
export const fullName = (name) => `${name.first_name} ${name.last_name}`;
/** @param {{ first_name: string, last_name: string }} name */
export const listName = (name) => `${name.last_name}, ${name.first_name}`;

/** 2027 fall is "2026–27 fall": school years are named by the year they end. */
/** @param {{ school_year: number, label: string }} t a term, or a row of a student's history */
export const termName = (t) => `${t.school_year - 1}–${String(t.school_year).slice(-2)} ${t.label}`;

/**
 * A risk as a percentage; the ends are bounded rather than rounded to a certainty.
 * @param {number} risk
 */
export function riskPercent(risk) {
  const p = risk * 100;
  if (p < 1) return "< 1 %";
  if (p > 99) return "> 99 %";
  return `${Math.round(p)} %`;
}

/** @param {number} share */
export const sharePercent = (share) => `${Math.round(share * 100)} %`;

/** @type {Readonly<Record<string, string>>} */
export const tierWords = { low: "low", moderate: "moderate", high: "high" };

/** @param {string} tier */
export function tierBadge(tier) {
  return el("span", { class: `tier tier-${tier}` }, tierWords[tier] ?? tier);
}

/** @type {Readonly<Record<string, { mark: string, title: string }>>} */
const changeMarks = {
  up: { mark: "▲ up", title: "higher tier than last term" },
  down: { mark: "▼ down", title: "lower tier than last term" },
  new: { mark: "new", title: "not scored for this milestone last term" },
  same: { mark: "same", title: "same tier as last term" },
};

/**
 * @param {string} change
 * @param {string | null} [previousTier]
 */
export function changeMark(change, previousTier) {
  const c = changeMarks[change] ?? { mark: change, title: "" };
  const title = previousTier ? `${c.title} (was ${previousTier})` : c.title;
  return el("span", { class: `change change-${change}`, title }, c.mark);
}

/** @type {Readonly<Record<string, string>>} */
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
/** @type {Readonly<Record<string, string>>} */
const raceWords = { A: "Asian", B: "Black", H: "Hispanic/Latino", M: "Multi-race", N: "Native American", P: "Pacific Islander", W: "White" };
/** @type {Readonly<Record<string, string>>} */
const genderWords = { F: "Female", M: "Male", N: "Non-binary" };

/**
 * @param {string} dimension
 * @param {string} value
 */
export function subgroupValueName(dimension, value) {
  if (value === "unknown") return "Not reported";
  if (dimension === "all") return "All students";
  if (dimension === "race_ethnicity") return raceWords[value] ?? value;
  if (dimension === "gender") return genderWords[value] ?? value;
  if (value === "1") return "Yes";
  if (value === "0") return "No";
  return value;
}

/**
 * Saves a Blob under a file name: a plain link could not carry the Bearer header.
 * @param {Blob} blob
 * @param {string} fileName
 */
export function saveBlob(blob, fileName) {
  const url = URL.createObjectURL(blob);
  const link = el("a", { href: url, download: fileName, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * The file name from `Content-Disposition: attachment; filename=...`, or a fallback.
 * @param {Response} response
 * @param {string} fallback
 */
export function attachmentName(response, fallback) {
  const header = response.headers.get("Content-Disposition") ?? "";
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(header);
  return match ? decodeURIComponent(match[1]) : fallback;
}
