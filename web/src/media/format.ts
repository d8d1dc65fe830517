/** Words and numbers for media: file sizes, chat-list previews, upload errors. */
import type { MessageType } from '../../../sdk/index.js';

/** "512 B", "12 KB", "3.4 MB", "1.2 GB". */
export function formatSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(1)} GB`;
}

/** The chat-list words for an attachment without a caption: "📷 Photo", "🎥 Video", "📄 report.pdf". */
export function mediaLabel(type: MessageType, fileName?: string | null): string | null {
  if (type === 'image') return '📷 Photo';
  if (type === 'video') return '🎥 Video';
  if (type === 'file') return `📄 ${fileName?.trim() || 'File'}`;
  return null;
}

/** The message's kind from a file's declared type (the server checks the bytes). */
export function messageTypeFor(mimeType: string): 'image' | 'video' | 'file' {
  if (/^image\/(png|jpeg|gif|webp|avif|heic|heif)$/.test(mimeType)) return 'image';
  if (mimeType.startsWith('video/')) return 'video';
  return 'file';
}

/** A clear sentence for a failed upload, from the HTTP status and the server's message. */
export function uploadErrorText(status: number, serverMessage: string | undefined): string {
  if (status === 413) {
    return /quota/i.test(serverMessage ?? '')
      ? 'Your storage quota is used up. Delete some media and try again.'
      : 'This file is too large to send.';
  }
  if (status === 415) return 'This type of file cannot be sent.';
  if (status === 0) return 'Upload failed: the server could not be reached.';
  if (status === 401) return 'Upload refused: please sign in again.';
  if (status === 429) return 'Too many uploads. Try again in a moment.';
  return serverMessage ? `Upload failed: ${serverMessage}` : `Upload failed (HTTP ${status}).`;
}
