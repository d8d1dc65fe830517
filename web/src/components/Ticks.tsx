/** The status of one's own message: clock, one tick, two ticks, two blue ticks, or a failure mark. */
import { TICK_LABELS, type TickState } from '../lib/ticks.js';
import { Icon, type IconName } from './Icon.js';

const ICONS: Record<TickState, IconName> = {
  queued: 'clock',
  sent: 'check',
  delivered: 'doubleCheck',
  read: 'doubleCheck',
  failed: 'error',
};

export function Ticks({ state }: { state: TickState }) {
  return (
    <span
      className={`ticks ticks-${state}`}
      role="img"
      aria-label={TICK_LABELS[state]}
      title={TICK_LABELS[state]}
      data-tick={state}
    >
      <Icon name={ICONS[state]} size={state === 'queued' ? 14 : 16} />
    </span>
  );
}
