/** The privacy rule shared by presence reads and presence updates. */
import type { PrivacyLevel } from '../protocol/dto.js';

/**
 * Whether a viewer may see a field the owner guards with `level`. Owners always
 * see their own; "contacts" means users in the owner's contact list.
 */
export async function mayView(
  level: PrivacyLevel,
  viewerIsOwner: boolean,
  viewerIsOwnersContact: () => Promise<boolean>,
): Promise<boolean> {
  if (viewerIsOwner || level === 'everyone') return true;
  if (level === 'nobody') return false;
  return viewerIsOwnersContact();
}
