/**
 * The attachment of an image, video or file message. Bytes need the bearer
 * token, so thumbnails are fetched into blob URLs (see ./blobs.ts); clicking a
 * thumbnail opens the viewer, a file offers a download.
 */
import { useState } from 'react';
import type { Media, MessageType } from '../../../sdk/index.js';
import { Icon } from '../components/Icon.js';
import { useSession } from '../session/context.js';
import { downloadMedia, useMediaBlob } from './blobs.js';
import { formatSize } from './format.js';
import { MediaViewer } from './MediaViewer.js';

const LABELS: Partial<Record<MessageType, string>> = { image: 'Photo', video: 'Video', file: 'File' };
const MAX_W = 300;
const MAX_H = 320;

/** Display size of a thumbnail: the media's aspect ratio within MAX_W × MAX_H. */
export function thumbnailBox(width: number | null, height: number | null): { width: number; height: number } {
  if (!width || !height) return { width: 240, height: 180 };
  const scale = Math.min(1, MAX_W / width, MAX_H / height);
  return { width: Math.max(80, Math.round(width * scale)), height: Math.max(60, Math.round(height * scale)) };
}

function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

function VisualMedia({ kind, media }: { kind: 'image' | 'video'; media: Media }) {
  const [open, setOpen] = useState(false);
  const thumb = useMediaBlob(media.thumbnailUrl ?? (kind === 'image' ? media.url : null));
  const box = thumbnailBox(media.width, media.height);
  const label = kind === 'image' ? 'Open photo' : 'Play video';
  return (
    <>
      <button
        type="button"
        className={`media-thumb ${kind}`}
        style={{ width: box.width, height: box.height }}
        aria-label={label}
        title={label}
        onClick={() => setOpen(true)}
      >
        {thumb.status === 'ready' ? (
          <img src={thumb.url} alt="" width={box.width} height={box.height} draggable={false} />
        ) : (
          <span className="media-thumb-note">
            {thumb.status === 'error' ? thumb.error : media.thumbnailUrl || kind === 'image' ? 'Loading…' : 'Video'}
          </span>
        )}
        {kind === 'video' && (
          <span className="media-play" aria-hidden="true">
            ▶
          </span>
        )}
        {kind === 'video' && media.durationMs ? (
          <span className="media-duration">{formatDuration(media.durationMs)}</span>
        ) : null}
      </button>
      {open && <MediaViewer kind={kind} media={media} onClose={() => setOpen(false)} />}
    </>
  );
}

function FileMedia({ media }: { media: Media }) {
  const session = useSession();
  const [state, setState] = useState<'idle' | 'busy' | string>('idle');
  const name = media.fileName?.trim() || 'File';
  const download = () => {
    setState('busy');
    downloadMedia(session.baseUrl, session.token, media.url, name).then(
      () => setState('idle'),
      (error: unknown) => setState(error instanceof Error ? error.message : 'Download failed'),
    );
  };
  const extension = /\.([a-z0-9]{1,5})$/i.exec(name)?.[1]?.toUpperCase() ?? 'FILE';
  return (
    <div className="media-file">
      <span className="media-file-icon" aria-hidden="true">
        {extension}
      </span>
      <span className="media-file-body">
        <span className="media-file-name">{name}</span>
        <span className="media-file-meta">
          {formatSize(media.size)} · {media.mimeType}
        </span>
        {state !== 'idle' && state !== 'busy' && (
          <span className="media-file-error" role="alert">
            {state}
          </span>
        )}
      </span>
      <button
        type="button"
        className="media-download"
        aria-label={`Download ${name}`}
        title={`Download ${name}`}
        disabled={state === 'busy'}
        onClick={download}
      >
        <Icon name="download" size={22} />
      </button>
    </div>
  );
}

export function MessageMedia({ type, media }: { type: MessageType; media: Media | null }) {
  const label = LABELS[type];
  if (!label) return null;
  if (!media) {
    return (
      <div className="message-media">
        <span className="message-media-kind">{label}</span>
      </div>
    );
  }
  if (type === 'image' || type === 'video') return <VisualMedia kind={type} media={media} />;
  return <FileMedia media={media} />;
}
