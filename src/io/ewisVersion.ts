import { readFileSync } from "node:fs";

/** Stamped into every model file so a model can be traced to the code that trained it. */
export const ewisVersion: string = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version;
