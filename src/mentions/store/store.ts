/**
 * What mentions need from storage beyond the message row: who of a group
 * answers to a name, and how many unread messages mention a user. A message's
 * mentions are written with the message itself (MessageDraft.mentions), and
 * the mention index in the same transaction.
 */

export interface MentionedMember {
  userId: string;
  username: string;
}

export interface MentionStore {
  /**
   * The current members of the conversation whose username is one of
   * `usernames` (exact, lowercase), in no particular order. Non-members and
   * unknown names are simply absent.
   */
  membersNamed(conversationId: string, usernames: readonly string[]): Promise<MentionedMember[]>;

  /**
   * Per conversation the user is a current member of, its messages that
   * mention the user above the read watermark and within the member's window,
   * not deleted. Conversations without any are absent (no zero entries).
   */
  unreadCounts(userId: string): Promise<Map<string, number>>;
}
