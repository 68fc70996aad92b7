/**
 * `npm run soak` sets EWIS_SOAK=1: the fault, fuzz and load suites then run many times longer
 * with the same seeds. Off in `npm test`, which has to stay quick on CI's two cores.
 */
export const soak = process.env.EWIS_SOAK === "1";
