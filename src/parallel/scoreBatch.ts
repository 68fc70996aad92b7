/**
 * A batch of published scores in the form a scoring worker hands it to the thread that writes
 * it: columns of numbers and codes instead of objects. Cloning 4 096 score objects between
 * threads costs ~15 ms each way (≈ 5 s on a state's 1.4 M scores, on the writing thread, the
 * term run's bottleneck); typed arrays and a handful of new strings cost almost nothing.
 *
 * Text fields repeat (a district, a tier, a subgroup value), so the encoder interns them: each
 * distinct value crosses once, with the batch that first uses it, and later batches send its
 * code. Drivers are all but unique per score and cross as text. Student ids do not cross at all:
 * each score's student goes by number in the history (`owners`), and the decoder names it from
 * the writer's own copy of the history's ids. A state's million ids are all distinct; interned
 * they cost the worker a map and the writer a copy of every one.
 *
 * `ScoreEncoder` and `ScoreDecoder` are a pair: one of each per worker, batches decoded in the
 * order they were encoded. decode(encode(batch, owners)) deep-equals the batch when the decoder
 * has the ids the owners number.
 */
import { indicatorCount, subgroupDimensions, type Milestone, type PriorMilestone, type PublishedScore, type RiskTier, type SubgroupDimension } from "../core/index.ts";

/** The interned fields of a score, in the order of their codes in `EncodedScores.codes`. */
const TEXT = ["milestone", "district_id", "school_id", "tier", "scoredWith"] as const;
const CODES = TEXT.length + subgroupDimensions.length;
const NUMBERS = 3; // school_year, grade, risk

export interface EncodedScores {
  count: number;
  /** Values first used by this batch, in code order: code = strings already sent + index. */
  strings: string[];
  /** `count` × CODES codes (-1 = null). */
  codes: Int32Array;
  /** `count` × 3: school_year, grade, risk. */
  numbers: Float64Array;
  /** `count` × indicatorCount, NaN = missing. */
  indicators: Float64Array;
  drivers: string[];
  /** JSON of the prior milestone, or null: few scores have one. */
  prior: (string | null)[];
  /** Each score's student by number in the history. */
  owners: Int32Array;
}

/** The buffers an encoded batch can hand over rather than copy (postMessage's transfer list). */
export const transferables = (batch: EncodedScores): ArrayBuffer[] => [batch.codes.buffer, batch.numbers.buffer, batch.indicators.buffer, batch.owners.buffer] as ArrayBuffer[];

export class ScoreEncoder {
  private readonly codes = new Map<string, number>();

  /** `owners`: each score's student by number in the history (see above). */
  encode(scores: readonly PublishedScore[], owners: readonly number[]): EncodedScores {
    const count = scores.length;
    const batch: EncodedScores = {
      count,
      strings: [],
      codes: new Int32Array(count * CODES),
      numbers: new Float64Array(count * NUMBERS),
      indicators: new Float64Array(count * indicatorCount),
      drivers: new Array(count),
      prior: new Array(count),
      owners: Int32Array.from(owners),
    };
    const { codes } = batch;
    for (let i = 0; i < count; i++) {
      const s = scores[i];
      const at = i * CODES;
      const previous = i > 0 ? scores[i - 1] : undefined;
      // A student's scores come together and share places and subgroups (the same object): a
      // value equal to the previous score's takes its code, which saves most of the lookups.
      for (let f = 0; f < TEXT.length; f++) {
        const field = TEXT[f];
        codes[at + f] = previous !== undefined && previous[field] === s[field] ? codes[at - CODES + f] : this.code(s[field], batch.strings);
      }
      if (previous !== undefined && previous.subgroups === s.subgroups) codes.copyWithin(at + TEXT.length, at - CODES + TEXT.length, at);
      else for (let d = 0; d < subgroupDimensions.length; d++) codes[at + TEXT.length + d] = this.code(s.subgroups[subgroupDimensions[d]], batch.strings);
      batch.numbers[i * NUMBERS] = s.school_year;
      batch.numbers[i * NUMBERS + 1] = s.grade;
      batch.numbers[i * NUMBERS + 2] = s.risk;
      batch.indicators.set(s.indicators, i * indicatorCount);
      batch.drivers[i] = s.drivers;
      batch.prior[i] = s.prior ? JSON.stringify(s.prior) : null;
    }
    return batch;
  }

  private code(value: string | null, fresh: string[]): number {
    if (value === null) return -1;
    let code = this.codes.get(value);
    if (code === undefined) {
      code = this.codes.size;
      this.codes.set(value, code);
      fresh.push(value);
    }
    return code;
  }
}

export class ScoreDecoder {
  private readonly strings: string[] = [];

  /** `ids`: the history's student ids, which the batches' `owners` number. */
  constructor(private readonly ids: readonly string[]) {}

  /** The batch's scores, each new to its term (no tier move yet: the writer takes it). */
  decode(batch: EncodedScores): PublishedScore[] {
    for (const s of batch.strings) this.strings.push(s);
    const text = (code: number) => (code < 0 ? null : this.strings[code]);
    const scores: PublishedScore[] = new Array(batch.count);
    for (let i = 0; i < batch.count; i++) {
      const at = i * CODES;
      const subgroups = {} as Record<SubgroupDimension, string>;
      for (let d = 0; d < subgroupDimensions.length; d++) subgroups[subgroupDimensions[d]] = this.strings[batch.codes[at + TEXT.length + d]];
      const prior = batch.prior[i];
      scores[i] = {
        student_id: this.ids[batch.owners[i]],
        school_year: batch.numbers[i * NUMBERS],
        district_id: this.strings[batch.codes[at + 1]],
        school_id: this.strings[batch.codes[at + 2]],
        grade: batch.numbers[i * NUMBERS + 1],
        milestone: this.strings[batch.codes[at]] as Milestone,
        risk: batch.numbers[i * NUMBERS + 2],
        tier: this.strings[batch.codes[at + 3]] as RiskTier,
        drivers: batch.drivers[i],
        subgroups,
        indicators: batch.indicators.subarray(i * indicatorCount, (i + 1) * indicatorCount),
        prior: prior === null ? null : (JSON.parse(prior) as PriorMilestone),
        scoredWith: text(batch.codes[at + 4]) as Milestone | null,
        previous_tier: null,
        change: "new",
      };
    }
    return scores;
  }
}
