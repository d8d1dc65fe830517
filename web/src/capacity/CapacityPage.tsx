/**
 * The capacity planner: presets, a slider per input, the outputs of the
 * system design's formulas and this product's node and database needs (from
 * the benchmark figures the server reads from bench/results), and a chart of
 * storage over the retention period.
 */
import { useEffect, useMemo, useState } from 'react';
import {
  type BenchFigures,
  type CapacityInput,
  DEFAULT_FIGURES,
  PRESETS,
  type PresetName,
  plan,
  report,
} from '../../../src/capacity/planner.js';
import { fetchCapacityBaseline } from '../admin/api.js';
import { LineChart } from '../admin/LineChart.js';
import { applyChange, fromPosition, SLIDERS, storageByYear, storageUnit, toPosition } from './sliders.js';

const STORAGE = [{ label: 'stored', color: '#00a884' }];

export function CapacityPage({ token }: { token: string }) {
  const [preset, setPreset] = useState<PresetName | null>('whatsapp');
  const [input, setInput] = useState<CapacityInput>(PRESETS.whatsapp.input);
  const [figures, setFigures] = useState<BenchFigures>(DEFAULT_FIGURES);

  useEffect(() => {
    let cancelled = false;
    fetchCapacityBaseline(token).then((answer) => {
      if (!cancelled && answer.ok) setFigures(answer.value.figures);
    });
    return () => {
      cancelled = true;
    };
  }, [token]);

  const result = useMemo(() => plan(input, figures), [input, figures]);
  const lines = report(input, result, figures);
  const scale = storageUnit(result.totalBytesRetention);
  const chart = useMemo(
    () => storageByYear(result.totalBytesPerYear, input.retentionYears, scale.size),
    [result, input, scale.size],
  );

  return (
    <div className="capacity">
      <fieldset className="capacity-presets" aria-label="Presets">
        {(Object.keys(PRESETS) as PresetName[]).map((name) => (
          <button
            key={name}
            type="button"
            className="button"
            aria-pressed={preset === name}
            onClick={() => {
              setPreset(name);
              setInput(PRESETS[name].input);
            }}
          >
            {PRESETS[name].label}
          </button>
        ))}
      </fieldset>
      <div className="capacity-body">
        <form className="capacity-inputs" aria-label="Inputs" onSubmit={(event) => event.preventDefault()}>
          {SLIDERS.map((spec) => (
            <label key={spec.key} className="capacity-slider">
              <span>
                {spec.label} <output>{spec.format(input[spec.key])}</output>
              </span>
              <input
                aria-label={spec.label}
                type="range"
                min={spec.min}
                max={spec.max}
                step={spec.step}
                value={toPosition(spec, input[spec.key])}
                onChange={(event) => {
                  setPreset(null);
                  setInput(applyChange(input, spec.key, fromPosition(spec, Number(event.target.value))));
                }}
              />
            </label>
          ))}
        </form>
        <div className="capacity-results">
          <table className="admin-table" aria-label="Results">
            <tbody>
              {lines.map((line) => (
                <tr key={line.label}>
                  <th scope="row">{line.label}</th>
                  <td>{line.value}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="admin-note">
            Per node {figures.nodeMessagesPerSecond.toLocaleString('en-US')} msg/s (
            {figures.sources.nodeMessagesPerSecond}
            ), {figures.nodeConnections.toLocaleString('en-US')} connections ({figures.sources.nodeConnections}); per
            database {figures.dbWritesPerSecond.toLocaleString('en-US')} writes/s ({figures.sources.dbWritesPerSecond}).
          </p>
          <LineChart
            title="Storage over the retention period"
            unit={scale.unit}
            xLabel="year"
            series={STORAGE}
            data={chart}
          />
        </div>
      </div>
    </div>
  );
}
