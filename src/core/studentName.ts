/**
 * A student's name as the district's roster gives it: shown to the people who work with the
 * student (roles that read students), never in a rollup, a log or an error message.
 */
export interface StudentName {
  first_name: string;
  last_name: string;
  /** The district's own id for the student (the one on its own systems), when it gave one. */
  local_id: string | null;
}

export const NAME_MAX_LENGTH = 100;
export const LOCAL_ID_MAX_LENGTH = 32;

// Control and format characters have no place in a name and would hide in a page or a CSV cell.
const hidden = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

/**
 * What is wrong with a roster cell (already trimmed: a name's spaces at either end are the
 * export's, not the name's), in words that never repeat the cell: the message names the line
 * and column, and the name itself stays out of every error and log.
 */
export function rosterCellProblem(cell: string, column: "first_name" | "last_name" | "local_id"): string | undefined {
  const max = column === "local_id" ? LOCAL_ID_MAX_LENGTH : NAME_MAX_LENGTH;
  if (column !== "local_id" && cell === "") return "is empty";
  if (cell.length > max) return `is longer than ${max} characters`;
  if (hidden.test(cell)) return "holds a control or invisible character";
  return undefined;
}

/** A list's name search as the store matches it: trimmed, lower-cased, at most a name long. */
export function nameSearchText(text: string): string {
  return text.trim().toLowerCase().slice(0, NAME_MAX_LENGTH);
}

/** "Rivera, Ana": how lists and profiles show a name. */
export const displayName = (name: StudentName): string => `${name.last_name}, ${name.first_name}`;
