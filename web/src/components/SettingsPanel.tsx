/** Settings: profile, privacy, notifications, contacts, blocked users, sign out. */
import { ArchiveSettingsSection } from '../pins/ArchiveSettingsSection.js';
import { NotificationsSection } from '../push/NotificationsSection.js';
import { useSession } from '../session/context.js';
import { BlockedSection } from './BlockedSection.js';
import { ContactsSection } from './ContactsSection.js';
import { Icon } from './Icon.js';
import { PanelFrame } from './PanelFrame.js';
import { PrivacySection } from './PrivacySection.js';
import { ProfileSection } from './ProfileSection.js';

export function SettingsPanel({ onClose }: { onClose(): void }) {
  const session = useSession();
  return (
    <PanelFrame title="Settings" onClose={onClose} closeIcon="back" className="settings">
      <ProfileSection />
      <PrivacySection />
      <NotificationsSection />
      <ArchiveSettingsSection />
      <ContactsSection />
      <BlockedSection />
      <button type="button" className="list-action danger" onClick={() => session.signOut()}>
        <span className="list-action-icon">
          <Icon name="logout" />
        </span>
        Log out
      </button>
    </PanelFrame>
  );
}
