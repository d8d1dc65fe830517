/** Full-size view of an image or a video, over the app; Escape, the close button or the backdrop closes it. */
import { useEffect, useRef } from 'react';
import type { Media } from '../../../sdk/index.js';
import { IconButton } from '../components/IconButton.js';
import { useMediaBlob } from './blobs.js';

interface MediaViewerProps {
  kind: 'image' | 'video';
  media: Media;
  onClose(): void;
}

export function MediaViewer({ kind, media, onClose }: MediaViewerProps) {
  const full = useMediaBlob(media.url);
  const closeButton = useRef<HTMLButtonElement>(null);
  const close = useRef(onClose);
  close.current = onClose;

  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    closeButton.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      event.stopImmediatePropagation();
      close.current();
    };
    window.addEventListener('keydown', onKey, true);
    return () => {
      window.removeEventListener('keydown', onKey, true);
      previous?.focus();
    };
  }, []);

  const label = kind === 'image' ? 'Photo' : 'Video';
  return (
    <div
      className="media-viewer"
      role="dialog"
      aria-modal="true"
      aria-label={media.fileName ? `${label}: ${media.fileName}` : label}
      onClick={(event) => {
        if (event.target === event.currentTarget) onClose();
      }}
      onKeyDown={() => undefined}
    >
      <div className="media-viewer-bar">
        <span className="media-viewer-title">{media.fileName ?? label}</span>
        <IconButton ref={closeButton} icon="close" label="Close viewer" onClick={onClose} />
      </div>
      <div className="media-viewer-stage">
        {full.status === 'loading' && <div className="media-viewer-note">Loading…</div>}
        {full.status === 'error' && (
          <div className="media-viewer-note" role="alert">
            {full.error}
          </div>
        )}
        {full.status === 'ready' &&
          (kind === 'image' ? (
            <img className="media-viewer-content" src={full.url} alt={media.fileName ?? 'Photo'} />
          ) : (
            // biome-ignore lint/a11y/useMediaCaption: user-sent videos carry no caption track
            <video className="media-viewer-content" src={full.url} controls autoPlay />
          ))}
      </div>
    </div>
  );
}
