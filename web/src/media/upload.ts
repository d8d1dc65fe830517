/** Uploads one file with XMLHttpRequest (fetch reports no upload progress). */
import type { Media } from '../../../sdk/index.js';
import { uploadErrorText } from './format.js';

export class UploadError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'UploadError';
  }
}

export interface UploadHandle {
  done: Promise<Media>;
  abort(): void;
}

/** `POST /api/v1/media` with the file in the multipart field `file`; `onProgress` gets 0…1. */
export function uploadMedia(
  baseUrl: string,
  token: string,
  file: File,
  onProgress: (fraction: number) => void,
): UploadHandle {
  const xhr = new XMLHttpRequest();
  const done = new Promise<Media>((resolve, reject) => {
    xhr.open('POST', `${baseUrl}/api/v1/media`);
    xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.responseType = 'json';
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      const body = xhr.response as { media?: Media; error?: { message?: string } } | null;
      if (xhr.status >= 200 && xhr.status < 300 && body?.media) {
        onProgress(1);
        resolve(body.media);
      } else {
        reject(new UploadError(xhr.status, uploadErrorText(xhr.status, body?.error?.message)));
      }
    };
    xhr.onerror = () => reject(new UploadError(0, uploadErrorText(0, undefined)));
    xhr.onabort = () => reject(new UploadError(-1, 'Upload cancelled.'));
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
  return { done, abort: () => xhr.abort() };
}
