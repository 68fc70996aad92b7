import { SingleBar, Presets } from "cli-progress";
import type { Progress } from "../app/progress.ts";

/** A run's stages as a bar on a terminal, a few plain lines otherwise. */
export function createProgress(stream: NodeJS.WriteStream, log: (line: string) => void): Progress {
  return stream.isTTY ? new BarProgress(stream) : new LineProgress(log);
}

class BarProgress implements Progress {
  private bar?: SingleBar;
  constructor(private readonly stream: NodeJS.WriteStream) {}

  stage(name: string, total: number, unit: string): void {
    this.end();
    this.bar = new SingleBar(
      { stream: this.stream, format: `${name.padEnd(8)} [{bar}] {percentage}% | {value}/{total} ${unit} | {duration_formatted}`, hideCursor: true },
      Presets.shades_classic,
    );
    this.bar.start(total, 0);
  }

  update(value: number): void {
    this.bar?.update(value);
  }

  end(): void {
    if (!this.bar) return;
    this.bar.update(this.bar.getTotal());
    this.bar.stop();
    this.bar = undefined;
  }
}

/** Logs the start and end of each stage and at most every tenth of the way between. */
class LineProgress implements Progress {
  private name = "";
  private total = 0;
  private unit = "";
  private shownTenth = 0;
  private started = 0;

  constructor(private readonly log: (line: string) => void) {}

  stage(name: string, total: number, unit: string): void {
    this.end();
    Object.assign(this, { name, total, unit, shownTenth: 0, started: performance.now() });
    this.log(`${name}: started (${total} ${unit})`);
  }

  update(value: number): void {
    const tenth = this.total > 0 ? Math.floor((10 * value) / this.total) : 0;
    if (tenth > this.shownTenth && tenth < 10) {
      this.shownTenth = tenth;
      this.log(`${this.name}: ${tenth * 10}%`);
    }
  }

  end(): void {
    if (!this.name) return;
    this.log(`${this.name}: done in ${((performance.now() - this.started) / 1000).toFixed(1)} s`);
    this.name = "";
  }
}
