/**
 * Extension point for media messages (image, video, file). Uploads are not
 * available yet: this shows what kind of attachment a message carries. When
 * the media API lands, render thumbnails here (see ./README.md).
 */
import type { Media, MessageType } from '../../../sdk/index.js';

const LABELS: Partial<Record<MessageType, string>> = { image: 'Photo', video: 'Video', file: 'File' };

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function MessageMedia({ type, media }: { type: MessageType; media: Media | null }) {
  const label = LABELS[type];
  if (!label) return null;
  return (
    <div className="message-media">
      <span className="message-media-kind">{label}</span>
      {media && (
        <span className="muted small">
          {media.mimeType} · {formatSize(media.size)}
        </span>
      )}
    </div>
  );
}
