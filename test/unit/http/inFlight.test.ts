import { describe, expect, it } from "vitest";
import { InFlight } from "../../../src/http/inFlight.ts";

describe("InFlight", () => {
  it("is idle at once with nothing running, and only once every piece of work has ended, failed ones too", async () => {
    const inFlight = new InFlight();
    await inFlight.idle();
    let release!: () => void;
    const slow = inFlight.run(() => new Promise<string>((resolve) => (release = () => resolve("done"))));
    const failing = inFlight.run(async () => {
      throw new Error("store gone");
    });
    let idle = false;
    const waiting = inFlight.idle().then(() => (idle = true));
    await expect(failing).rejects.toThrow("store gone");
    await new Promise((resolve) => setImmediate(resolve));
    expect(idle).toBe(false);
    release();
    expect(await slow).toBe("done");
    await waiting;
    expect(idle).toBe(true);
  });
});
