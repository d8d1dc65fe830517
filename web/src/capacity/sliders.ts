/** The planner's inputs as sliders: which scale each uses and how a position maps to a value (pure). */
import type { CapacityInput } from '../../../src/capacity/planner.js';

export interface SliderSpec {
  key: keyof CapacityInput;
  label: string;
  /** log: position is log10(value) (users span 10^3…10^10); linear otherwise. */
  scale: 'log' | 'linear';
  min: number;
  max: number;
  step: number;
  format(value: number): string;
}

const count = (value: number) => Math.round(value).toLocaleString('en-US');
const percent = (value: number) => `${Math.round(value * 100)}%`;
const bytes = (value: number) =>
  value >= 1e6
    ? `${(value / 1e6).toFixed(1)} MB`
    : value >= 1e3
      ? `${(value / 1e3).toFixed(0)} KB`
      : `${Math.round(value)} B`;

export const SLIDERS: SliderSpec[] = [
  { key: 'totalUsers', label: 'Total users', scale: 'log', min: 2, max: 10, step: 0.01, format: count },
  { key: 'dailyActiveUsers', label: 'Daily active users', scale: 'log', min: 1, max: 10, step: 0.01, format: count },
  {
    key: 'messagesPerUserPerDay',
    label: 'Messages per user per day',
    scale: 'linear',
    min: 1,
    max: 200,
    step: 1,
    format: count,
  },
  { key: 'avgMessageBytes', label: 'Average message size', scale: 'log', min: 1, max: 4, step: 0.01, format: bytes },
  { key: 'mediaShare', label: 'Media share', scale: 'linear', min: 0, max: 1, step: 0.01, format: percent },
  { key: 'avgMediaBytes', label: 'Average media size', scale: 'log', min: 3, max: 8, step: 0.01, format: bytes },
  { key: 'retentionYears', label: 'Retention (years)', scale: 'linear', min: 1, max: 20, step: 1, format: count },
  {
    key: 'concurrentShare',
    label: 'Concurrent share of DAU',
    scale: 'linear',
    min: 0.01,
    max: 1,
    step: 0.01,
    format: percent,
  },
  {
    key: 'peakFactor',
    label: 'Peak factor',
    scale: 'linear',
    min: 1,
    max: 10,
    step: 0.1,
    format: (v) => `×${v.toFixed(1)}`,
  },
];

export function toPosition(spec: SliderSpec, value: number): number {
  const position = spec.scale === 'log' ? Math.log10(Math.max(value, 1)) : value;
  return Math.min(spec.max, Math.max(spec.min, position));
}

/** The value at a slider position; log scales round to 3 significant digits so values read cleanly. */
export function fromPosition(spec: SliderSpec, position: number): number {
  if (spec.scale === 'linear') return position;
  return Number((10 ** position).toPrecision(3));
}

/** Applies a slider move, keeping DAU within total users (whichever moved pushes the other). */
export function applyChange(input: CapacityInput, key: keyof CapacityInput, value: number): CapacityInput {
  const next = { ...input, [key]: value };
  if (key === 'dailyActiveUsers' && next.dailyActiveUsers > next.totalUsers) next.totalUsers = next.dailyActiveUsers;
  if (key === 'totalUsers' && next.dailyActiveUsers > next.totalUsers) next.dailyActiveUsers = next.totalUsers;
  return next;
}

/** The unit the storage chart reads best in: the largest of GB, TB, PB the total reaches. */
export function storageUnit(totalBytes: number): { unit: 'GB' | 'TB' | 'PB'; size: number } {
  if (totalBytes >= 1e15) return { unit: 'PB', size: 1e15 };
  if (totalBytes >= 1e12) return { unit: 'TB', size: 1e12 };
  return { unit: 'GB', size: 1e9 };
}

/** Cumulative storage at the end of each year of retention, in `size` units: the chart's line. */
export function storageByYear(totalBytesPerYear: number, years: number, size = 1e12): [number[], number[]] {
  const x: number[] = [];
  const y: number[] = [];
  for (let year = 0; year <= years; year++) {
    x.push(year);
    y.push((totalBytesPerYear * year) / size);
  }
  return [x, y];
}
