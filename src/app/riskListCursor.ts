import { z } from "zod";
import { EwisError, milestoneNames, studentYearSchema } from "../core/index.ts";
import type { RiskListPage } from "../store/termStore.ts";

/** The list cursor is the last row's sort key, opaque to clients. */
const cursorSchema = z.tuple([z.number(), studentYearSchema.shape.student_id, z.enum(milestoneNames)]);

export function encodeCursor(row: { risk: number; student_id: string; milestone: string }): string {
  return Buffer.from(JSON.stringify([row.risk, row.student_id, row.milestone])).toString("base64url");
}

/** The row a cursor resumes after; a cursor this API did not hand out is the client's error. */
export function decodeCursor(cursor: string): NonNullable<RiskListPage["after"]> {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    decoded = undefined;
  }
  const parsed = cursorSchema.safeParse(decoded);
  if (!parsed.success) throw new EwisError("invalid_argument", "cursor: not a cursor this API returned; start again without it");
  return { risk: parsed.data[0], student_id: parsed.data[1], milestone: parsed.data[2] };
}
