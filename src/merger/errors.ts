// The merger's one error type for requests it cannot answer.

/** A request the merger cannot answer (bad input, unreachable origin, …). */
export class MergerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MergerError';
  }
}
