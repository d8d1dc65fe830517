/** A live time-series chart (uPlot, ~50 KB): created once, fed new columns as they arrive. */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Columns } from './series.js';

export interface LineSeries {
  label: string;
  color: string;
}

interface LineChartProps {
  title: string;
  unit: string;
  series: LineSeries[];
  data: Columns;
  /** Plain numbers on the x axis instead of clock times (the capacity chart's years). */
  xLabel?: string;
  height?: number;
}

export function LineChart({ title, unit, series, data, xLabel, height = 180 }: LineChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const latest = useRef(data);
  latest.current = data;

  // biome-ignore lint/correctness/useExhaustiveDependencies: the chart is rebuilt only when its shape changes; data flows through setData
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const options: uPlot.Options = {
      width: Math.max(240, element.clientWidth),
      height,
      scales: { x: { time: !xLabel } },
      axes: [
        // Whole steps on a numeric axis (years), clock times otherwise.
        { stroke: 'currentColor', ...(xLabel ? { label: xLabel, incrs: [1, 2, 5, 10] } : {}) },
        { stroke: 'currentColor', label: unit, size: 70 },
      ],
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 2, spanGaps: false }))],
      legend: { live: false },
      cursor: { show: true },
    };
    const plot = new uPlot(options, latest.current as uPlot.AlignedData, element);
    chart.current = plot;
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(240, element.clientWidth), height }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
      chart.current = null;
    };
  }, [height, unit, xLabel, series.map((s) => s.label).join()]);

  useEffect(() => {
    chart.current?.setData(data as uPlot.AlignedData);
  }, [data]);

  return (
    <figure className="admin-chart">
      <figcaption>{title}</figcaption>
      <div ref={box} className="admin-chart-plot" role="img" aria-label={title} />
    </figure>
  );
}
