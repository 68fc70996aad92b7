import { readFileSync } from "node:fs";
import { join } from "node:path";
import { packageRoot } from "./packageRoot.ts";

/** Stamped into every model file so a model can be traced to the code that trained it. */
export const ewisVersion: string = JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")).version;
