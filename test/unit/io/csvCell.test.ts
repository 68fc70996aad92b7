import { describe, expect, it } from "vitest";
import { csvField, startsFormula } from "../../../src/io/csvCell.ts";

describe("csvField: text cells a spreadsheet reads as text", () => {
  it("neutralises every formula start and leaves plain text and numbers alone", () => {
    expect(csvField("=cmd|' /C calc'!A0")).toBe("'=cmd|' /C calc'!A0");
    expect(csvField("+1+1")).toBe("'+1+1");
    expect(csvField("-2+3")).toBe("'-2+3");
    expect(csvField("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvField("\t=1")).toBe("'\t=1");
    expect(csvField("=HYPERLINK(\"http://x\",\"a,b\")")).toBe(`"'=HYPERLINK(""http://x"",""a,b"")"`);
    expect(csvField("-1")).toBe("-1");
    expect(csvField("+0.25")).toBe("+0.25");
    expect(csvField("D0001-E01")).toBe("D0001-E01");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(startsFormula("-S001")).toBe(true);
    expect(startsFormula("S-001")).toBe(false);
  });
});
