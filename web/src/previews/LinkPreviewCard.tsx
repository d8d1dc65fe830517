/**
 * A link's preview under a message's text: the re-encoded image (fetched
 * with the token, like media), title, description and host; opens the link
 * in a new tab without handing it this page (noopener, no referrer).
 */
import type { LinkPreview } from '../../../sdk/index.js';
import { useMediaBlob } from '../media/blobs.js';
import './previews.css';

function PreviewImage({ path, width, height }: { path: string; width: number; height: number }) {
  const blob = useMediaBlob(path);
  if (blob.status === 'error') return null;
  return (
    <div className="link-preview-image" style={{ aspectRatio: `${width} / ${height}` }}>
      {blob.status === 'ready' && <img src={blob.url} alt="" width={width} height={height} />}
    </div>
  );
}

export function LinkPreviewCard({ preview }: { preview: LinkPreview }) {
  return (
    <a
      className="link-preview"
      href={preview.url}
      target="_blank"
      rel="noopener noreferrer nofollow"
      data-testid="link-preview"
    >
      {preview.image && (
        <PreviewImage path={preview.image.url} width={preview.image.width} height={preview.image.height} />
      )}
      <span className="link-preview-body">
        {preview.title && <span className="link-preview-title">{preview.title}</span>}
        {preview.description && <span className="link-preview-description">{preview.description}</span>}
        <span className="link-preview-host">{preview.host}</span>
      </span>
    </a>
  );
}
