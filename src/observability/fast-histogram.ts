/**
 * A prom-client Histogram whose observe is cheap enough for paths that run
 * several times per message (delivery and ack latency, every store operation).
 * prom-client's own observe builds a closure and hashes and validates the
 * labels on every call, which showed in the server's CPU profile under load;
 * here each series keeps its bucket counts in a typed array, found once per
 * label set, and /metrics reads the same exposition prom-client would write.
 */
import {
  Histogram,
  type HistogramConfiguration,
  type LabelValues,
  type MetricObjectWithValues,
  type MetricValueWithName,
} from 'prom-client';

const PROM_CLIENT_DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface Observer {
  observe(value: number): void;
}

class Series<T extends string> implements Observer {
  /** One count per bound, then the +Inf bucket; not cumulative. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: LabelValues<T>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    const { bounds } = this;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    this.counts[i] = (this.counts[i] as number) + 1;
    this.sum += value;
    this.count += 1;
  }
}

export class FastHistogram<T extends string = string> extends Histogram<T> {
  private readonly metricName: string;
  private readonly help: string;
  private readonly bounds: readonly number[];
  private readonly all = new Map<string, Series<T>>();
  private unlabelled: Observer | undefined;

  constructor(configuration: HistogramConfiguration<T>) {
    super(configuration);
    this.metricName = configuration.name;
    this.help = configuration.help;
    this.bounds = configuration.buckets ?? PROM_CLIENT_DEFAULT_BUCKETS;
    // prom-client sets observe on each instance in its constructor, so it is replaced here, not overridden.
    this.observe = ((labelsOrValue: LabelValues<T> | number, value?: number) => {
      if (typeof labelsOrValue === 'number') this.unlabelledSeries().observe(labelsOrValue);
      else this.series(labelsOrValue).observe(value ?? Number.NaN);
    }) as Histogram<T>['observe'];
    // Like prom-client's, an unlabelled histogram reads as zeros before its first observation.
    if (!configuration.labelNames?.length) this.unlabelled = this.series();
  }

  private unlabelledSeries(): Observer {
    this.unlabelled ??= this.series();
    return this.unlabelled;
  }

  /** The series of these labels (none for an unlabelled histogram); keep it: observing through it is the cheap path. */
  series(labels: LabelValues<T> = {}): Observer {
    const key = JSON.stringify(labels);
    let series = this.all.get(key);
    if (!series) {
      series = new Series({ ...labels }, this.bounds);
      this.all.set(key, series);
    }
    return series;
  }

  /** prom-client's labels() observes into state this class does not export: series() is the way here. */
  override labels(): never {
    throw new Error(`${this.metricName}: use series(labels) instead of labels()`);
  }

  override async get(): Promise<MetricObjectWithValues<MetricValueWithName<T>>> {
    return this.exposition();
  }

  /** What the registry reads for /metrics (prom-client prefers it to get() when a metric has it). */
  async getForPromString(): Promise<MetricObjectWithValues<MetricValueWithName<T>>> {
    return this.exposition();
  }

  private exposition(): MetricObjectWithValues<MetricValueWithName<T>> {
    const values: MetricValueWithName<T>[] = [];
    const withLe = (labels: LabelValues<T>, le: number | string) => ({ le, ...labels }) as LabelValues<T>;
    for (const series of this.all.values()) {
      let cumulative = 0;
      this.bounds.forEach((bound, i) => {
        cumulative += series.counts[i] as number;
        values.push({
          value: cumulative,
          labels: withLe(series.labels, bound),
          metricName: `${this.metricName}_bucket`,
        });
      });
      cumulative += series.counts[this.bounds.length] as number;
      values.push({
        value: cumulative,
        labels: withLe(series.labels, '+Inf'),
        metricName: `${this.metricName}_bucket`,
      });
      values.push({ value: series.sum, labels: series.labels, metricName: `${this.metricName}_sum` });
      values.push({ value: series.count, labels: series.labels, metricName: `${this.metricName}_count` });
    }
    // prom-client's typings declare `type` as an enum that exists only in its .d.ts; at runtime it is this string.
    const type = 'histogram' as unknown as MetricObjectWithValues<MetricValueWithName<T>>['type'];
    return { name: this.metricName, help: this.help, type, values, aggregator: 'sum', collect: () => {} };
  }

  override reset(): void {
    super.reset();
    // prom-client's constructor calls reset() before this class's fields exist.
    this.all?.clear();
    this.unlabelled = undefined;
  }
}
