/**
 * Store work still running for requests. A client that hangs up mid-request closes its
 * connection, so the server can finish closing while a handler still awaits the store: the
 * stores must not be closed under it (its audit entry would fail and log a 500). `idle`
 * resolves once no such work is left.
 */
export class InFlight {
  private active = 0;
  private waiting: (() => void)[] = [];

  async run<T>(work: () => Promise<T>): Promise<T> {
    this.active++;
    try {
      return await work();
    } finally {
      if (--this.active === 0) {
        for (const resolve of this.waiting) resolve();
        this.waiting = [];
      }
    }
  }

  idle(): Promise<void> {
    return this.active === 0 ? Promise.resolve() : new Promise((resolve) => this.waiting.push(resolve));
  }
}
