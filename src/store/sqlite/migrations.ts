import type Database from "better-sqlite3";

/**
 * Schema changes, in order; `PRAGMA user_version` records how many have run. Append, never edit:
 * a store in the field has already run the earlier ones.
 */
export const migrations: readonly string[] = [
  `
  CREATE TABLE terms (
    id INTEGER PRIMARY KEY,
    school_year INTEGER NOT NULL,
    label TEXT NOT NULL,
    seq INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('published')),
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    rows_read INTEGER NOT NULL,
    rows_accepted INTEGER NOT NULL,
    rows_rejected INTEGER NOT NULL,
    students_enrolled INTEGER NOT NULL,
    students_scored INTEGER NOT NULL,
    scores INTEGER NOT NULL,
    not_scored TEXT NOT NULL,
    models TEXT NOT NULL,
    input_sha256 TEXT NOT NULL,
    suppression_threshold INTEGER NOT NULL,
    UNIQUE (school_year, label)
  );
  CREATE TABLE scores (
    term_id INTEGER NOT NULL REFERENCES terms (id),
    student_id TEXT NOT NULL,
    milestone TEXT NOT NULL,
    school_year INTEGER NOT NULL,
    grade INTEGER NOT NULL,
    district_id TEXT NOT NULL,
    school_id TEXT NOT NULL,
    risk REAL NOT NULL,
    tier TEXT NOT NULL,
    drivers TEXT NOT NULL,
    previous_tier TEXT,
    change TEXT NOT NULL,
    low_income TEXT NOT NULL,
    ell TEXT NOT NULL,
    former_ell TEXT NOT NULL,
    sped TEXT NOT NULL,
    homeless TEXT NOT NULL,
    foster_care TEXT NOT NULL,
    race_ethnicity TEXT NOT NULL,
    gender TEXT NOT NULL,
    PRIMARY KEY (term_id, student_id, milestone)
  ) WITHOUT ROWID;
  CREATE INDEX scores_by_school ON scores (term_id, school_id, milestone, tier);
  CREATE INDEX scores_by_district ON scores (term_id, district_id, milestone, tier);
  CREATE TABLE rollups (
    term_id INTEGER NOT NULL REFERENCES terms (id),
    scope TEXT NOT NULL,
    district_id TEXT NOT NULL,
    school_id TEXT NOT NULL,
    milestone TEXT NOT NULL,
    grade TEXT NOT NULL,
    dimension TEXT NOT NULL,
    value TEXT NOT NULL,
    n INTEGER,
    low INTEGER,
    moderate INTEGER,
    high INTEGER,
    share_low REAL,
    share_moderate REAL,
    share_high REAL,
    mean_risk REAL,
    mean_risk_change REAL,
    high_share_change REAL,
    suppressed TEXT NOT NULL,
    PRIMARY KEY (term_id, scope, district_id, school_id, milestone, grade, dimension, value)
  ) WITHOUT ROWID;
  `,
  `
  ALTER TABLE scores ADD COLUMN indicators TEXT NOT NULL DEFAULT '{}';
  CREATE TABLE tokens (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    districts TEXT NOT NULL,
    schools TEXT NOT NULL,
    student_grant INTEGER NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
  );
  CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    token_id INTEGER NOT NULL,
    token_name TEXT NOT NULL,
    role TEXT NOT NULL,
    route TEXT NOT NULL,
    term_id INTEGER,
    students TEXT NOT NULL,
    student_count INTEGER NOT NULL
  );
  `,
  // Risk lists are read highest risk first within a school or district.
  `
  CREATE INDEX scores_school_risk ON scores (term_id, school_id, risk);
  CREATE INDEX scores_district_risk ON scores (term_id, district_id, risk);
  `,
  // The same lists in their whole order (risk DESC, student_id, milestone): a page is read off
  // the index and stops at its limit, with no sort of the school's rows. Replaces the two above.
  `
  DROP INDEX scores_school_risk;
  DROP INDEX scores_district_risk;
  CREATE INDEX scores_school_list ON scores (term_id, school_id, risk DESC, student_id, milestone);
  CREATE INDEX scores_district_list ON scores (term_id, district_id, risk DESC, student_id, milestone);
  `,
  // Every score read is a list (the two indexes above, filtered as they go) or one student (the
  // primary key); these two only cost each published score two more index writes (~17 % of a
  // state's publish).
  `
  DROP INDEX scores_by_school;
  DROP INDEX scores_by_district;
  `,
  // Tokens lapse: past `expires_at` (an ISO instant) a token opens nothing. Tokens made before
  // this have none and last until revoked; `ewis token list` shows them as never expiring.
  `
  ALTER TABLE tokens ADD COLUMN expires_at TEXT;
  `,
  // When the audit trail's own file was begun: a store that has one and finds it gone must not
  // quietly start an empty trail (\`auditLog.ts\`).
  `
  CREATE TABLE audit_trail_begun (at TEXT NOT NULL);
  `,
  // A follow-on milestone's score (a repeated grade, a fifth high-school year) says what was
  // already decided (JSON of \`PriorMilestone\`) and, when its own model could not be trained,
  // whose model scored it. NULL on every other score.
  `
  ALTER TABLE scores ADD COLUMN prior TEXT;
  ALTER TABLE scores ADD COLUMN scored_with TEXT;
  `,
  // Why each rollup number is hidden: the fields hidden because they are small (the rest of
  // \`suppressed\` protect them). NULL for terms published before the reason was kept.
  `
  ALTER TABLE rollups ADD COLUMN suppressed_small TEXT;
  `,
  // People who sign in through the identity provider: by its subject or by email (lower-cased).
  `
  CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    subject TEXT UNIQUE,
    email TEXT UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    districts TEXT NOT NULL,
    schools TEXT NOT NULL,
    student_grant INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    disabled_at TEXT,
    CHECK (subject IS NOT NULL OR email IS NOT NULL)
  );
  `,
  // Students' names from the district's roster, published with the term they belong to and
  // replaced with it; read only for roles that read students, and only beside their scores.
  `
  CREATE TABLE names (
    term_id INTEGER NOT NULL REFERENCES terms (id),
    student_id TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    local_id TEXT,
    -- Lower-cased by ewis, not the database: SQLite's lower() knows only ASCII, and a search must match alike on both stores.
    first_lower TEXT NOT NULL,
    last_lower TEXT NOT NULL,
    local_lower TEXT,
    PRIMARY KEY (term_id, student_id)
  ) WITHOUT ROWID;
  `,
  // What each `ewis purge` removed, and when: a retention rule is only as good as its record.
  `
  CREATE TABLE purges (at TEXT NOT NULL, before_year INTEGER NOT NULL, terms INTEGER NOT NULL, scores INTEGER NOT NULL, plans INTEGER NOT NULL, notes INTEGER NOT NULL);
  `,
];

export function migrate(db: Database.Database): void {
  const applied = db.pragma("user_version", { simple: true }) as number;
  for (let version = applied; version < migrations.length; version++) {
    db.transaction(() => {
      db.exec(migrations[version]);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
