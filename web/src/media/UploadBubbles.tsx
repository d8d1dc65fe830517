/** Pending bubbles of the uploads going on in a chat: file name, a progress bar, and errors. */
import { IconButton } from '../components/IconButton.js';
import { formatSize } from './format.js';
import { uploads, useUploads } from './uploads.js';

export function UploadBubbles({ conversationId }: { conversationId: string }) {
  const items = useUploads(conversationId);
  return items.map((item) => {
    const percent = Math.round(item.progress * 100);
    return (
      <div key={item.key} className="message-row own last upload-row" data-upload={item.error ? 'failed' : 'active'}>
        <div className="bubble upload-bubble">
          <div className="upload-head">
            <span className="upload-name">{item.fileName}</span>
            <span className="muted small">{formatSize(item.size)}</span>
            <IconButton
              icon="close"
              size={18}
              label={item.error ? `Dismiss ${item.fileName}` : `Cancel upload of ${item.fileName}`}
              onClick={() => (item.error ? uploads.remove(item.key) : item.abort())}
            />
          </div>
          {item.error ? (
            <div className="upload-error" role="alert">
              {item.error}
            </div>
          ) : (
            <progress className="upload-progress" max={100} value={percent} aria-label={`Uploading ${item.fileName}`}>
              {percent}%
            </progress>
          )}
        </div>
      </div>
    );
  });
}
