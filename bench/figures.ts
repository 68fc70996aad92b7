/** A figure as the bench prints it: to the thousandth (seconds to the millisecond). */
export const round = (value: number) => Math.round(value * 1000) / 1000;
