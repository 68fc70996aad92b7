import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    // Two files at a time even on two cores (vitest's default is one fewer than the cores):
    // the slow files mostly wait on child processes and the PostgreSQL server, not the CPU.
    maxWorkers: 2,
  },
});
