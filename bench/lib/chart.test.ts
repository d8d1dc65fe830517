import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatTick, linearScale, logScale, renderChartSvg } from './chart.js';
import type { Chart } from './report.js';

// jsdom ships no types (and @types/jsdom is not installed); its DOMParser is the standard one of lib.dom.
const JSDOM_MODULE = 'jsdom';
const { JSDOM } = (await import(JSDOM_MODULE)) as {
  JSDOM: new (html: string) => { window: { DOMParser: typeof DOMParser } };
};

/** Parses the SVG as XML: a parse error means the file would not open as an image. */
function parseSvg(svg: string): Document {
  const { DOMParser } = new JSDOM('').window;
  const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
  assert.equal(doc.getElementsByTagName('parsererror').length, 0, 'well-formed XML');
  assert.equal(doc.documentElement.tagName, 'svg');
  assert.equal(doc.documentElement.getAttribute('xmlns'), 'http://www.w3.org/2000/svg');
  return doc;
}

function polylinePoints(doc: Document, series: string): [number, number][] {
  const line = Array.from(doc.getElementsByTagName('polyline')).find((p) => p.getAttribute('data-series') === series);
  assert.ok(line, `a polyline for ${series}`);
  return (line.getAttribute('points') ?? '')
    .split(' ')
    .filter(Boolean)
    .map((pair: string) => pair.split(',').map(Number) as [number, number]);
}

const texts = (doc: Document) => Array.from(doc.getElementsByTagName('text')).map((t) => t.textContent ?? '');

const chart: Chart = {
  title: 'Latency <p99> & "friends"',
  xLabel: 'seconds',
  yLabel: 'ms',
  series: [
    {
      name: 'server',
      points: [
        [0, 0],
        [5, 50],
        [10, 100],
      ],
    },
    {
      name: 'relay',
      points: [
        [0, 10],
        [10, 20],
      ],
    },
  ],
};

describe('chart renderer', () => {
  it('writes a well-formed, self-contained SVG with the title, axis labels and a legend entry per series', () => {
    const svg = renderChartSvg(chart);
    const doc = parseSvg(svg);
    assert.doesNotMatch(svg, /<script|href=|@import|url\(/, 'no external references or scripts');
    const labels = texts(doc);
    assert.ok(labels.includes('Latency <p99> & "friends"'), 'title, escaped and parsed back');
    assert.ok(labels.includes('seconds'));
    assert.ok(labels.includes('ms'));
    assert.ok(labels.includes('server') && labels.includes('relay'), 'legend names every series');
    assert.equal(doc.getElementsByTagName('polyline').length, 2, 'one polyline per series');
  });

  it('maps data onto the plot: the axes span whole ticks and the points keep their order and proportions', () => {
    const doc = parseSvg(renderChartSvg(chart));
    const server = polylinePoints(doc, 'server');
    assert.equal(server.length, 3);
    const [first, middle, last] = server as [[number, number], [number, number], [number, number]];
    // x grows to the right, y (SVG) grows downwards as the value grows upwards.
    assert.ok(first[0] < middle[0] && middle[0] < last[0]);
    assert.ok(first[1] > middle[1] && middle[1] > last[1]);
    // Linear: the middle point is halfway on both axes.
    assert.ok(Math.abs(middle[0] - (first[0] + last[0]) / 2) < 0.2);
    assert.ok(Math.abs(middle[1] - (first[1] + last[1]) / 2) < 0.2);
    // 0 and 100 are tick values here, so the line runs from the bottom-left to the top-right corner of the plot.
    const relay = polylinePoints(doc, 'relay');
    const y10 = relay[0]?.[1] ?? Number.NaN;
    assert.ok(Math.abs(first[1] - y10 - (first[1] - last[1]) / 10) < 0.2, '10 sits a tenth of the way up to 100');
    const labels = texts(doc);
    for (const tick of ['0', '20', '40', '60', '80', '100']) assert.ok(labels.includes(tick), `y tick ${tick}`);
  });

  it('draws a log axis in decades and drops points it cannot place', () => {
    const doc = parseSvg(
      renderChartSvg({
        title: 'log',
        xLabel: 'x',
        yLabel: 'y',
        yLog: true,
        series: [
          {
            name: 'p99',
            points: [
              [0, 0.5],
              [1, 5],
              [2, 50],
              [3, Number.NaN],
              [4, 0],
            ],
          },
        ],
      }),
    );
    const points = polylinePoints(doc, 'p99');
    assert.equal(points.length, 3, 'NaN and (on a log axis) 0 are left out');
    const [a, b, c] = points.map(([, y]) => y) as [number, number, number];
    assert.ok(Math.abs(a - b - (b - c)) < 0.2, 'equal ratios are equal distances');
    const labels = texts(doc);
    for (const tick of ['0.1', '1', '10', '100']) assert.ok(labels.includes(tick), `decade ${tick}`);
  });

  it('gives the series of one group one colour, told apart by dashes', () => {
    const doc = parseSvg(
      renderChartSvg({
        title: 'groups',
        xLabel: 'x',
        yLabel: 'y',
        series: [
          { name: 'a p99', group: 'a', points: [[0, 1]] },
          { name: 'a p50', group: 'a', points: [[0, 2]] },
          { name: 'b p99', group: 'b', points: [[0, 3]] },
        ],
      }),
    );
    const lines = Array.from(doc.getElementsByTagName('polyline'));
    const [a99, a50, b99] = lines.map((l) => ({
      stroke: l.getAttribute('stroke'),
      dash: l.getAttribute('stroke-dasharray'),
    }));
    assert.equal(a99?.stroke, a50?.stroke);
    assert.notEqual(a99?.stroke, b99?.stroke);
    assert.equal(a99?.dash, null);
    assert.ok(a50?.dash);
  });

  it('renders an empty chart without failing', () => {
    const doc = parseSvg(renderChartSvg({ title: 'nothing', xLabel: 'x', yLabel: 'y', series: [] }));
    assert.ok(texts(doc).includes('no data'));
  });

  it('computes nice scales and tick labels', () => {
    const linear = linearScale(0, 87);
    assert.deepEqual(linear.ticks, [0, 20, 40, 60, 80, 100]);
    assert.equal(linear.fraction(50), 0.5);
    assert.deepEqual(linearScale(0, 0.3).ticks.at(-1), 0.3);
    const log = logScale(0.2, 340);
    assert.deepEqual(log.ticks, [0.1, 1, 10, 100, 1000]);
    assert.equal(log.fraction(10), 0.5);
    assert.equal(formatTick(12000), '12k');
    assert.equal(formatTick(0.30000000000000004), '0.3');
    assert.equal(formatTick(2_500_000), '2.5M');
  });
});
