/** The megaphone shown before a channel's name, with its name for screen readers. */
import { Icon } from '../components/Icon.js';
import './channels.css';

export function ChannelIcon() {
  return (
    <>
      <Icon name="campaign" size={16} className="channel-icon" />
      <span className="visually-hidden">Channel: </span>
    </>
  );
}
