// The one way into core: everything outside src/core imports from here.
export * from "./errors.ts";
export * from "./studentYear.ts";
export * from "./studentHistory.ts";
export * from "./milestones.ts";
export * from "./indicators.ts";
export * from "./design.ts";
export * from "./trainingSet.ts";
export * from "./fit/sigmoid.ts";
export * from "./fit/standardize.ts";
export * from "./fit/logisticFit.ts";
export * from "./metrics.ts";
export * from "./riskTier.ts";
export * from "./riskModel.ts";
export * from "./riskScore.ts";
export * from "./termScores.ts";
