import { EwisError } from "../errors.ts";

/**
 * The checks every evaluation function makes first: parallel arrays of risks and labels in
 * {0, 1}, no NaN risk. Throws EwisError("invalid_argument") with a plain message.
 */
export function checkRisksAndLabels(risks: ArrayLike<number>, missed: ArrayLike<number>): void {
  if (risks.length !== missed.length) {
    throw new EwisError("invalid_argument", `there are ${risks.length} risks but ${missed.length} outcomes`);
  }
  for (let i = 0; i < missed.length; i++) {
    if (missed[i] !== 0 && missed[i] !== 1) {
      throw new EwisError("invalid_argument", `outcome at row ${i} is ${missed[i]}: must be 0 (reached) or 1 (missed)`);
    }
    if (Number.isNaN(risks[i])) {
      throw new EwisError("invalid_argument", `risk at row ${i} is NaN`);
    }
  }
}

/** Row indices by descending risk, ties by index: the order in which a falling cut-point flags students. */
export function descendingOrder(risks: ArrayLike<number>): Uint32Array {
  const order = new Uint32Array(risks.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => (risks[a] > risks[b] ? -1 : risks[a] < risks[b] ? 1 : a - b));
}
