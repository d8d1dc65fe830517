/**
 * Line charts as self-contained SVG (no fonts, scripts or external files), so a
 * report's chart opens anywhere a Markdown viewer shows images. One polyline per
 * series, axes with "nice" ticks (1, 2, 5 × 10^k), axis labels and a legend.
 */
import type { Chart } from './report.js';

const WIDTH = 760;
const HEIGHT = 400;
/** Plot area inside the frame: room for the title, the tick labels, the axis labels and the legend. */
const PLOT = { left: 72, right: WIDTH - 190, top: 44, bottom: HEIGHT - 56 };
/** Colour-blind-safe (Okabe–Ito), then greys. */
const COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#999999'];
const DASHES = ['', '6 3', '2 3', '8 3 2 3'];

export interface Scale {
  min: number;
  max: number;
  ticks: number[];
  /** Maps a value onto [0, 1] of the axis (log axes map log10). */
  fraction(value: number): number;
}

/** Step of about `span / count` rounded to 1, 2 or 5 × 10^k. */
function niceStep(span: number, count: number): number {
  const raw = span / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const unit = raw / magnitude;
  return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10) * magnitude;
}

/** A linear axis covering [min, max] widened to whole ticks; zero is included when the data are all positive. */
export function linearScale(dataMin: number, dataMax: number, tickCount = 5): Scale {
  let lo = Math.min(0, dataMin);
  let hi = dataMax;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = [0, 1];
  if (hi <= lo) hi = lo + (Math.abs(lo) || 1);
  const step = niceStep(hi - lo, tickCount);
  const min = Math.floor(lo / step) * step;
  const max = Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let t = min; t <= max + step / 2; t += step) ticks.push(Number(t.toPrecision(12)));
  return { min, max, ticks, fraction: (v) => (v - min) / (max - min) };
}

/** A log10 axis over whole decades; values ≤ 0 are clamped to the lowest decade. */
export function logScale(dataMin: number, dataMax: number): Scale {
  const lowDecade = Math.floor(Math.log10(dataMin > 0 ? dataMin : 0.1));
  let highDecade = Math.ceil(Math.log10(dataMax > 0 ? dataMax : 1));
  if (highDecade <= lowDecade) highDecade = lowDecade + 1;
  const ticks: number[] = [];
  for (let d = lowDecade; d <= highDecade; d++) ticks.push(Number((10 ** d).toPrecision(12)));
  const min = 10 ** lowDecade;
  const max = 10 ** highDecade;
  return {
    min,
    max,
    ticks,
    fraction: (v) => (Math.log10(Math.max(v, min)) - lowDecade) / (highDecade - lowDecade),
  };
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Tick labels without float noise: 0.30000000000000004 → 0.3, 12000 → 12k. */
export function formatTick(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${Number((value / 1e6).toPrecision(3))}M`;
  if (abs >= 1e3) return `${Number((value / 1e3).toPrecision(3))}k`;
  return String(Number(value.toPrecision(3)));
}

const fmt = (n: number) => String(Math.round(n * 10) / 10);

/** The chart as an SVG document. Points with a non-finite coordinate are left out. */
export function renderChartSvg(chart: Chart): string {
  // One colour per group (or per series without one); within a group, solid then dashed lines.
  const groups: string[] = [];
  const seen = new Map<string, number>();
  const series = chart.series.map((s) => ({
    name: s.name,
    style: (() => {
      const group = s.group ?? `\u0000${s.name}`;
      if (!groups.includes(group)) groups.push(group);
      const nth = seen.get(group) ?? 0;
      seen.set(group, nth + 1);
      return { color: groups.indexOf(group), dash: nth };
    })(),
    points: s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!chart.yLog || y > 0)),
  }));
  const all = series.flatMap((s) => s.points);
  const xs = all.map(([x]) => x);
  const ys = all.map(([, y]) => y);
  const xScale = linearScale(Math.min(...xs, 0), Math.max(...xs, 1));
  const yScale = chart.yLog
    ? logScale(Math.min(...ys), Math.max(...ys))
    : linearScale(Math.min(...ys, 0), Math.max(...ys, 0));
  const px = (x: number) => PLOT.left + xScale.fraction(x) * (PLOT.right - PLOT.left);
  const py = (y: number) => PLOT.bottom - yScale.fraction(y) * (PLOT.bottom - PLOT.top);

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(chart.title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(chart.title)}</text>`,
  ];
  // Grid and tick labels.
  for (const t of yScale.ticks) {
    const y = fmt(py(t));
    out.push(
      `<line x1="${PLOT.left}" y1="${y}" x2="${PLOT.right}" y2="${y}" stroke="#e5e5e5"/>`,
      `<text x="${PLOT.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${formatTick(t)}</text>`,
    );
  }
  for (const t of xScale.ticks) {
    const x = fmt(px(t));
    out.push(
      `<line x1="${x}" y1="${PLOT.top}" x2="${x}" y2="${PLOT.bottom}" stroke="#f0f0f0"/>`,
      `<text x="${x}" y="${PLOT.bottom + 16}" text-anchor="middle">${formatTick(t)}</text>`,
    );
  }
  out.push(
    `<line x1="${PLOT.left}" y1="${PLOT.bottom}" x2="${PLOT.right}" y2="${PLOT.bottom}" stroke="#333"/>`,
    `<line x1="${PLOT.left}" y1="${PLOT.top}" x2="${PLOT.left}" y2="${PLOT.bottom}" stroke="#333"/>`,
    `<text x="${(PLOT.left + PLOT.right) / 2}" y="${HEIGHT - 16}" text-anchor="middle">${escapeXml(chart.xLabel)}</text>`,
    `<text x="18" y="${(PLOT.top + PLOT.bottom) / 2}" text-anchor="middle" transform="rotate(-90 18 ${(PLOT.top + PLOT.bottom) / 2})">${escapeXml(chart.yLabel)}${chart.yLog ? ' (log scale)' : ''}</text>`,
  );
  // Series, then the legend to the right of the plot.
  series.forEach((s, i) => {
    const color = COLORS[s.style.color % COLORS.length];
    const dash = DASHES[(s.style.dash + Math.floor(s.style.color / COLORS.length)) % DASHES.length] ?? '';
    const dashAttr = dash ? ` stroke-dasharray="${dash}"` : '';
    const coords = s.points.map(([x, y]) => `${fmt(px(x))},${fmt(py(y))}`).join(' ');
    out.push(
      `<polyline data-series="${escapeXml(s.name)}" fill="none" stroke="${color}" stroke-width="2"${dashAttr} points="${coords}"/>`,
    );
    // Few points (or one): markers make them visible.
    if (s.points.length <= 24) {
      for (const [x, y] of s.points) out.push(`<circle cx="${fmt(px(x))}" cy="${fmt(py(y))}" r="3" fill="${color}"/>`);
    }
    const ly = PLOT.top + 8 + i * 20;
    out.push(
      `<line x1="${PLOT.right + 16}" y1="${ly}" x2="${PLOT.right + 40}" y2="${ly}" stroke="${color}" stroke-width="2"${dashAttr}/>`,
      `<text x="${PLOT.right + 46}" y="${ly}" dominant-baseline="middle">${escapeXml(s.name)}</text>`,
    );
  });
  if (all.length === 0) {
    out.push(
      `<text x="${(PLOT.left + PLOT.right) / 2}" y="${(PLOT.top + PLOT.bottom) / 2}" text-anchor="middle" fill="#999">no data</text>`,
    );
  }
  out.push('</svg>', '');
  return out.join('\n');
}
