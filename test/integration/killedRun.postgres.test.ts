import { killedRunSuite } from "../support/killedRun.ts";

killedRunSuite("postgres");
