import { describe, expect, it } from 'vitest';
import { PRESETS, plan } from '../../../src/capacity/planner.js';
import { applyChange, fromPosition, SLIDERS, storageByYear, storageUnit, toPosition } from './sliders.js';

const spec = (key: string) => {
  const found = SLIDERS.find((s) => s.key === key);
  if (!found) throw new Error(key);
  return found;
};

describe('capacity sliders', () => {
  it('round-trips preset values through log sliders', () => {
    const dau = spec('dailyActiveUsers');
    expect(fromPosition(dau, toPosition(dau, 500_000_000))).toBe(500_000_000);
    expect(fromPosition(dau, 5)).toBe(100_000);
    expect(toPosition(dau, 1e12)).toBe(dau.max);
    const share = spec('mediaShare');
    expect(fromPosition(share, toPosition(share, 0.2))).toBe(0.2);
  });

  it('keeps DAU within total users whichever slider moves', () => {
    const input = PRESETS.startup.input;
    expect(applyChange(input, 'dailyActiveUsers', 1e6).totalUsers).toBe(1e6);
    expect(applyChange(input, 'totalUsers', 50_000).dailyActiveUsers).toBe(50_000);
  });

  it('plots cumulative storage by year of retention', () => {
    const result = plan(PRESETS.whatsapp.input);
    const [x, y] = storageByYear(result.totalBytesPerYear, 5);
    expect(x).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Math.round(y[5] ?? 0)).toBe(3_653_650);
    expect(storageUnit(result.totalBytesRetention).unit).toBe('PB');
    expect(storageUnit(5e12).unit).toBe('TB');
    expect(storageUnit(5e9).unit).toBe('GB');
    expect(SLIDERS.every((s) => s.format(s.scale === 'log' ? 10 ** s.min : s.min).length > 0)).toBe(true);
  });
});
