#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader so `npx ewis` works straight after
// `npm install`, with no build step to remember.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv);
