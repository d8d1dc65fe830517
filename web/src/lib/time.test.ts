import { describe, expect, it } from 'vitest';
import { calendarDaysBetween, formatClock, formatDayLabel, formatLastSeen, formatListTime } from './time.js';

// Local times: the formatters use the viewer's time zone.
const at = (y: number, m: number, d: number, h = 12, min = 0) => new Date(y, m - 1, d, h, min);
const now = at(2026, 3, 12, 15, 30); // Thursday 12 March 2026

describe('formatClock', () => {
  it('is a zero-padded 24-hour time', () => {
    expect(formatClock(at(2026, 3, 12, 14, 2))).toBe('14:02');
    expect(formatClock(at(2026, 3, 12, 9, 5))).toBe('09:05');
    expect(formatClock(at(2026, 3, 12, 0, 0))).toBe('00:00');
  });
});

describe('calendarDaysBetween', () => {
  it('counts calendar days, not 24-hour spans', () => {
    expect(calendarDaysBetween(at(2026, 3, 11, 23, 59), at(2026, 3, 12, 0, 1))).toBe(1);
    expect(calendarDaysBetween(at(2026, 3, 12, 0, 1), at(2026, 3, 12, 23, 59))).toBe(0);
    expect(calendarDaysBetween(at(2025, 12, 31), at(2026, 1, 1))).toBe(1);
  });
});

describe('formatListTime', () => {
  it('shows the time today, then Yesterday, a weekday, a date', () => {
    expect(formatListTime(at(2026, 3, 12, 14, 2), now)).toBe('14:02');
    expect(formatListTime(at(2026, 3, 11, 23, 0), now)).toBe('Yesterday');
    expect(formatListTime(at(2026, 3, 9), now)).toBe('Monday');
    expect(formatListTime(at(2026, 3, 6), now)).toBe('Friday');
    expect(formatListTime(at(2026, 3, 5), now)).toBe('5 Mar');
    expect(formatListTime(at(2025, 11, 3), now)).toBe('3 Nov 2025');
  });

  it('shows a time for a slightly future timestamp (clock skew)', () => {
    expect(formatListTime(at(2026, 3, 12, 15, 31), now)).toBe('15:31');
  });

  it('accepts ISO strings', () => {
    expect(formatListTime(at(2026, 3, 12, 8, 7).toISOString(), now)).toBe('08:07');
  });
});

describe('formatDayLabel', () => {
  it('names the days of the chat separators', () => {
    expect(formatDayLabel(at(2026, 3, 12), now)).toBe('Today');
    expect(formatDayLabel(at(2026, 3, 11), now)).toBe('Yesterday');
    expect(formatDayLabel(at(2026, 3, 8), now)).toBe('Sunday');
    expect(formatDayLabel(at(2026, 2, 1), now)).toBe('1 February');
    expect(formatDayLabel(at(2024, 7, 20), now)).toBe('20 July 2024');
  });
});

describe('formatLastSeen', () => {
  it('says online', () => {
    expect(formatLastSeen({ status: 'online', lastSeen: at(2026, 3, 12).toISOString() }, now)).toBe('online');
  });

  it('says when the user was last seen', () => {
    const seen = (d: Date) => formatLastSeen({ status: 'offline', lastSeen: d.toISOString() }, now);
    expect(seen(at(2026, 3, 12, 14, 2))).toBe('last seen today at 14:02');
    expect(seen(at(2026, 3, 11, 9, 15))).toBe('last seen yesterday at 09:15');
    expect(seen(at(2026, 3, 10, 18, 0))).toBe('last seen Tuesday at 18:00');
    expect(seen(at(2026, 1, 2, 7, 30))).toBe('last seen 2 Jan at 07:30');
  });

  it('shows an idle user as last seen', () => {
    expect(formatLastSeen({ status: 'idle', lastSeen: at(2026, 3, 12, 15, 0).toISOString() }, now)).toBe(
      'last seen today at 15:00',
    );
  });

  it('says nothing when privacy hides presence and last seen', () => {
    expect(formatLastSeen({ status: null, lastSeen: null }, now)).toBe('');
    expect(formatLastSeen({ status: 'offline', lastSeen: null }, now)).toBe('');
    expect(formatLastSeen(undefined, now)).toBe('');
  });

  it('shows last seen when only the status is hidden', () => {
    expect(formatLastSeen({ status: null, lastSeen: at(2026, 3, 12, 10, 0).toISOString() }, now)).toBe(
      'last seen today at 10:00',
    );
  });
});
