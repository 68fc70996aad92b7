import { EwisError } from "../../src/core/index.ts";

/** The EwisError a call throws, so a test can check its code and message. */
export function caught(run: () => unknown): EwisError {
  try {
    run();
  } catch (error) {
    if (error instanceof EwisError) return error;
    throw error;
  }
  throw new Error("expected an EwisError, but nothing was thrown");
}

/** `caught` for a call that rejects. */
export async function rejected(run: () => Promise<unknown>): Promise<EwisError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof EwisError) return error;
    throw error;
  }
  throw new Error("expected an EwisError, but nothing was thrown");
}
