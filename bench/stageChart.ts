/**
 * The term run's stages against the state's size, as an SVG the README shows: seconds on a log
 * scale against students on a log scale, one line per stage and one for the whole run, solid
 * for SQLite and dashed for PostgreSQL. On log–log axes a stage that grows in proportion to
 * the students is a line of slope one, so a stage that scales worse stands out.
 */

export interface StageRun {
  store: "sqlite" | "postgres";
  students: number;
  seconds: number;
  stageSeconds: Record<string, number>;
}

const STAGES = ["read", "score", "rollups", "publish"] as const;
const COLOURS: Record<string, string> = { read: "#1b7837", score: "#b35806", rollups: "#542788", publish: "#c51b7d", total: "#222222" };
const WIDTH = 760;
const HEIGHT = 440;
const LEFT = 64;
const RIGHT = 150;
const TOP = 48;
const BOTTOM = 56;

const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const label = (students: number) => (students >= 1e6 ? `${students / 1e6}M` : `${Math.round(students / 1e3)}k`);

/** The chart for `runs` (any sizes, one or both stores); `targets` marks the goal for each store at its size. */
export function stageChart(runs: readonly StageRun[], options: { title: string; targets?: { store: StageRun["store"]; students: number; seconds: number }[] }): string {
  if (runs.length === 0) throw new Error("no runs to chart");
  const sizes = [...new Set(runs.map((r) => r.students))].sort((a, b) => a - b);
  const values = runs.flatMap((r) => [r.seconds, ...STAGES.map((s) => r.stageSeconds[s] ?? 0)]).filter((v) => v > 0);
  const targets = options.targets ?? [];
  const low = 10 ** Math.floor(Math.log10(Math.min(...values)));
  const high = 10 ** Math.ceil(Math.log10(Math.max(...values, ...targets.map((t) => t.seconds))));
  const [xLow, xHigh] = [sizes[0] / 1.3, sizes[sizes.length - 1] * 1.3];
  const x = (students: number) => LEFT + ((Math.log10(students) - Math.log10(xLow)) / (Math.log10(xHigh) - Math.log10(xLow))) * (WIDTH - LEFT - RIGHT);
  const y = (seconds: number) => HEIGHT - BOTTOM - ((Math.log10(Math.max(seconds, low)) - Math.log10(low)) / (Math.log10(high) - Math.log10(low))) * (HEIGHT - TOP - BOTTOM);
  const parts: string[] = [];
  const line = (x1: number, y1: number, x2: number, y2: number, style: string) => parts.push(`<line x1="${x1.toFixed(1)}" y1="${y1.toFixed(1)}" x2="${x2.toFixed(1)}" y2="${y2.toFixed(1)}" ${style}/>`);
  const text = (tx: number, ty: number, body: string, style = "") => parts.push(`<text x="${tx.toFixed(1)}" y="${ty.toFixed(1)}" ${style}>${escape(body)}</text>`);

  for (let decade = low; decade <= high * 1.0001; decade *= 10) {
    for (const step of [1, 3]) {
      const v = decade * step;
      if (v > high * 1.0001) break;
      line(LEFT, y(v), WIDTH - RIGHT, y(v), `stroke="#dddddd"`);
      text(LEFT - 6, y(v) + 4, `${v >= 1 ? v : v.toPrecision(1)} s`, `text-anchor="end"`);
    }
  }
  for (const students of sizes) {
    line(x(students), TOP, x(students), HEIGHT - BOTTOM, `stroke="#eeeeee"`);
    text(x(students), HEIGHT - BOTTOM + 18, label(students), `text-anchor="middle"`);
  }
  text((LEFT + WIDTH - RIGHT) / 2, HEIGHT - 14, "students in the term (log scale)", `text-anchor="middle"`);
  text(14, (TOP + HEIGHT - BOTTOM) / 2, "seconds (log scale)", `text-anchor="middle" transform="rotate(-90 14 ${(TOP + HEIGHT - BOTTOM) / 2})"`);
  text(LEFT, 24, options.title, `font-weight="bold"`);

  for (const store of ["sqlite", "postgres"] as const) {
    const ofStore = runs.filter((r) => r.store === store).sort((a, b) => a.students - b.students);
    if (ofStore.length === 0) continue;
    const dash = store === "postgres" ? ` stroke-dasharray="6 4"` : "";
    for (const stage of [...STAGES, "total"] as const) {
      // A stage the run timed as 0 s (its lines have a tenth of a second) has no place on a log scale: left out, not drawn at the floor.
      const points = ofStore
        .map((r) => [r.students, stage === "total" ? r.seconds : (r.stageSeconds[stage] ?? 0)])
        .filter(([, seconds]) => seconds > 0)
        .map(([students, seconds]) => [x(students), y(seconds)]);
      const width = stage === "total" ? 2.5 : 1.8;
      parts.push(`<polyline fill="none" stroke="${COLOURS[stage]}" stroke-width="${width}"${dash} points="${points.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(" ")}"/>`);
      for (const [px, py] of points) parts.push(`<circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="3" fill="${COLOURS[stage]}"/>`);
    }
  }
  for (const t of targets) {
    const [tx, ty] = [x(t.students), y(t.seconds)];
    parts.push(`<path d="M ${(tx - 7).toFixed(1)} ${ty.toFixed(1)} L ${(tx + 7).toFixed(1)} ${ty.toFixed(1)}" stroke="#d00000" stroke-width="3"${t.store === "postgres" ? ` stroke-dasharray="3 2"` : ""}/>`);
    text(tx - 10, ty + 4, `goal ${t.seconds} s (${t.store === "sqlite" ? "SQLite" : "PostgreSQL"})`, `text-anchor="end" fill="#d00000" stroke="#ffffff" stroke-width="4" paint-order="stroke"`);
  }

  let ly = TOP + 6;
  for (const stage of [...STAGES, "total"] as const) {
    line(WIDTH - RIGHT + 16, ly, WIDTH - RIGHT + 40, ly, `stroke="${COLOURS[stage]}" stroke-width="${stage === "total" ? 2.5 : 1.8}"`);
    text(WIDTH - RIGHT + 46, ly + 4, stage === "total" ? "whole run" : stage);
    ly += 20;
  }
  ly += 10;
  line(WIDTH - RIGHT + 16, ly, WIDTH - RIGHT + 40, ly, `stroke="#555555" stroke-width="1.8"`);
  text(WIDTH - RIGHT + 46, ly + 4, "SQLite");
  ly += 20;
  line(WIDTH - RIGHT + 16, ly, WIDTH - RIGHT + 40, ly, `stroke="#555555" stroke-width="1.8" stroke-dasharray="6 4"`);
  text(WIDTH - RIGHT + 46, ly + 4, "PostgreSQL");

  const described = runs
    .map((r) => `${r.store} ${r.students} students: ${r.seconds} s (${STAGES.map((s) => `${s} ${r.stageSeconds[s] ?? 0} s`).join(", ")})`)
    .join("; ");
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="title desc" font-family="sans-serif" font-size="12">`,
    `<title id="title">${escape(options.title)}</title>`,
    `<desc id="desc">${escape(described)}</desc>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    ...parts,
    `</svg>`,
    "",
  ].join("\n");
}
