import { EwisError } from "../core/index.ts";

/** `--scope school:ID|district:ID` (repeatable) with `--school` and `--district`, as schools and districts. */
export function scopeOf(options: { scope: string[]; school: string[]; district: string[] }): { schools: string[]; districts: string[] } {
  const schools = [...options.school];
  const districts = [...options.district];
  for (const scope of options.scope) {
    const [kind, id] = [scope.slice(0, scope.indexOf(":")), scope.slice(scope.indexOf(":") + 1)];
    if (kind === "school" && id) schools.push(id);
    else if (kind === "district" && id) districts.push(id);
    else throw new EwisError("invalid_argument", `--scope must be school:ID or district:ID, got "${scope}"`);
  }
  return { schools, districts };
}
