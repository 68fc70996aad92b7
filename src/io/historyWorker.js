// A worker thread starts without the parent's TypeScript loader: register tsx, then run the
// range reader (see `parallelRead.ts`).
import { register } from "tsx/esm/api";

register();
await import("./historyWorkerMain.ts");
