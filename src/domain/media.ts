/**
 * Which message types may carry which media: an image message an image, a
 * video message a video, a file message anything (audio travels as a file).
 */
import type { MessageType } from '../protocol/dto.js';
import { ChatError } from '../protocol/errors.js';
import type { MediaKind, MediaRecord } from '../store/records.js';

export type MediaMessageType = Extract<MessageType, 'image' | 'video' | 'file'>;

/** The message type a media item is sent as when the client names none. */
export function messageTypeFor(kind: MediaKind): MediaMessageType {
  return kind === 'image' || kind === 'video' ? kind : 'file';
}

/**
 * The type of a message carrying `media`: the requested one when it fits,
 * inferred from the media when none was requested; invalid_request otherwise.
 */
export function mediaMessageType(requested: MessageType | null, media: MediaRecord): MediaMessageType {
  if (requested === null) return messageTypeFor(media.kind);
  if (requested === 'file') return 'file';
  if ((requested === 'image' || requested === 'video') && media.kind === requested) return requested;
  if (requested === 'text' || requested === 'system') {
    throw new ChatError('invalid_request', 'a text message carries no media: use type image, video or file');
  }
  throw new ChatError(
    'invalid_request',
    `an ${requested} message needs ${requested === 'image' ? 'an image' : 'a video'}; this media is ${media.mimeType} (send it as a file)`,
  );
}
