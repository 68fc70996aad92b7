/**
 * Risk-list pages as sent, by term version, scope and query. A term's lists never change once
 * it is published, and a counselor's school list is read again and again; building a 500-row
 * page (SQLite rows to objects to JSON) took ~4 ms, which held the service to ~200 pages a
 * second on one core. The key holds the term's id and start time, so a re-run term (same id,
 * new start) never serves an old page. Bounded by bytes; the oldest entries go first.
 */
export interface CachedPage {
  json: string;
  /** Students on the page: every read is still audited, cached or not. */
  students: string[];
}

const MAX_BYTES = 64 << 20;

export class PageCache {
  private readonly pages = new Map<string, CachedPage>();
  private bytes = 0;

  get(key: string): CachedPage | undefined {
    return this.pages.get(key);
  }

  set(key: string, page: CachedPage): void {
    const size = page.json.length;
    if (size > MAX_BYTES / 4) return;
    while (this.bytes + size > MAX_BYTES) {
      const [oldest, entry] = this.pages.entries().next().value as [string, CachedPage];
      this.pages.delete(oldest);
      this.bytes -= entry.json.length;
    }
    this.pages.set(key, page);
    this.bytes += size;
  }
}
