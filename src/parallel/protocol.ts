/** What a RowPool and its workers share: the control words and the job message. */

/** Int32 slots of a worker's control buffer. */
export const READY = 0; // 0 while loading, 1 when ready, -1 when it failed to load
export const DONE = 1; // id of the last job finished (successfully or not)
export const ERROR_LENGTH = 2; // bytes of error text in `message`, 0 when the last job succeeded
export const CONTROL_WORDS = 3;
export const MESSAGE_BYTES = 4096;

export interface WorkerData {
  control: Int32Array;
  message: Uint8Array;
}

/** One pass over rows [start, end); every array is on shared memory except beta. */
export interface Job {
  id: number;
  x: Float64Array;
  y: Uint8Array;
  n: number;
  p: number;
  beta: Float64Array;
  start: number;
  end: number;
  hessian: boolean;
  /** [grad (k) | hess (k×k, upper triangle) | logLikelihood | saturated], k = p + 1. */
  out: Float64Array;
}
