/**
 * Joining chunks read in parallel into one, in order. Each worker codes ids with dictionaries
 * of its own, so the codes have to be remapped into one shared set; otherwise a student whose
 * rows fall into two chunks would become two students.
 */
import { COUNTS, Dictionary, FLAGS, type HistoryChunk } from "./historyChunk.ts";

type Column = Int8Array | Int16Array | Int32Array | Float64Array;
type ColumnType<T extends Column> = { new (buffer: ArrayBufferLike): T; BYTES_PER_ELEMENT: number };

/**
 * Chunks read in parallel, joined in order: codes are remapped into one set of dictionaries, so
 * a student whose rows fall into two chunks is one student. The columns are allocated on a
 * SharedArrayBuffer, so a worker thread can read the joined history in place (a state's is
 * ≈ 270 MB: a copy would cost as much memory again); a single chunk is returned as it is.
 */
export function joinChunks(chunks: readonly HistoryChunk[]): HistoryChunk {
  if (chunks.length === 1) return chunks[0];
  const rows = chunks.reduce((sum, c) => sum + c.rows, 0);
  const wide = chunks.some((c) => c.counts instanceof Float64Array);
  const column = <T extends Column>(Type: ColumnType<T>, length: number): T => new Type(new SharedArrayBuffer(length * Type.BYTES_PER_ELEMENT));
  const joined: HistoryChunk = {
    rows,
    student: column(Int32Array, rows), year: column(Int16Array, rows), district: column(Int32Array, rows), school: column(Int32Array, rows),
    grade: column(Int8Array, rows), birthDate: column(Int32Array, rows), gender: column(Int8Array, rows), race: column(Int8Array, rows),
    flags: column(Int8Array, rows * FLAGS), daysEnrolled: column(Int16Array, rows), daysPresent: column(Int16Array, rows),
    counts: wide ? column(Float64Array, rows * COUNTS) : column(Int32Array, rows * COUNTS),
    ela: column(Int16Array, rows), math: column(Int16Array, rows), exit: column(Int8Array, rows), line: column(Float64Array, rows),
    students: [], districts: [], schools: [], birthDates: [],
  };
  const dictionaries = { students: new Dictionary(), districts: new Dictionary(), schools: new Dictionary(), birthDates: new Dictionary() };
  let at = 0;
  for (const chunk of chunks) {
    const remap = (values: string[], into: Dictionary) => Int32Array.from(values, (v) => into.code(v));
    const student = remap(chunk.students, dictionaries.students);
    const district = remap(chunk.districts, dictionaries.districts);
    const school = remap(chunk.schools, dictionaries.schools);
    const birthDate = remap(chunk.birthDates, dictionaries.birthDates);
    for (let i = 0; i < chunk.rows; i++) {
      joined.student[at + i] = student[chunk.student[i]];
      joined.district[at + i] = district[chunk.district[i]];
      joined.school[at + i] = school[chunk.school[i]];
      joined.birthDate[at + i] = chunk.birthDate[i] < 0 ? -1 : birthDate[chunk.birthDate[i]];
    }
    for (const name of ["year", "grade", "gender", "race", "daysEnrolled", "daysPresent", "ela", "math", "exit", "line"] as const) {
      (joined[name] as unknown as Int32Array).set(chunk[name] as unknown as Int32Array, at);
    }
    joined.flags.set(chunk.flags, at * FLAGS);
    joined.counts.set(chunk.counts, at * COUNTS);
    at += chunk.rows;
  }
  joined.students = dictionaries.students.values;
  joined.districts = dictionaries.districts.values;
  joined.schools = dictionaries.schools.values;
  joined.birthDates = dictionaries.birthDates.values;
  return joined;
}
