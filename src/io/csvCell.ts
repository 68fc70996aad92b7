/**
 * A text cell as a spreadsheet will read it safely. A cell that starts with = + - @ or a tab
 * or CR is a formula to Excel and LibreOffice (`=cmd|' /C calc'!A0`, `-2+3`), so it gets a
 * leading apostrophe, which they show as text and do not keep; a plain number such as `-1` is
 * left as it is. Then quoted if it holds a comma, quote or line break.
 */
export function csvField(value: string): string {
  const text = startsFormula(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function startsFormula(value: string): boolean {
  return /^[=+\-@\t\r]/.test(value) && !/^[+-]?\d+(\.\d+)?$/.test(value);
}
