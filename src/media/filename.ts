/**
 * Client-supplied file names: kept for display and downloads only, never used
 * to build a storage path. Sanitised on upload, encoded (RFC 6266 / RFC 5987)
 * on download.
 */

/** Longest kept name, in UTF-16 code units (extension preserved). */
export const FILE_NAME_MAX = 200;

// C0 and C1 controls, DEL, and Unicode format characters that reorder or hide
// text (bidi overrides, zero-width joiners): they make names lie about themselves.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufff9-\ufffb]/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * The base name without folders, control characters or characters that are
 * unsafe in file systems and headers; trimmed; at most FILE_NAME_MAX long with
 * the extension kept. Null when nothing is left.
 */
export function sanitizeFileName(raw: string | null | undefined): string | null {
  if (!raw) return null;
  let name = raw.normalize('NFC').replace(LONE_SURROGATE, '').replace(UNSAFE, '');
  // Only the last path segment, for either separator.
  name = name.split(/[/\\]/).pop() ?? '';
  name = name
    .replace(/[<>:"|?*]/g, '_')
    .replace(/\s+/g, ' ')
    .trim();
  // No hidden or relative names: leading dots go, "." and ".." vanish.
  name = name.replace(/^\.+/, '').trim();
  if (name.length > FILE_NAME_MAX) name = truncate(name, FILE_NAME_MAX);
  return name.length > 0 ? name : null;
}

function truncate(name: string, max: number): string {
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 && name.length - dot <= 16 ? name.slice(dot) : '';
  const base = Array.from(name.slice(0, name.length - extension.length));
  let out = '';
  for (const char of base) {
    if (out.length + char.length + extension.length > max) break;
    out += char;
  }
  return out.trimEnd() + extension;
}

/** RFC 5987 ext-value: UTF-8, percent-encoded except attr-chars. */
function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(
    /['()*]/g,
    (char) => `%${(char.codePointAt(0) ?? 0).toString(16).toUpperCase()}`,
  );
}

/**
 * A Content-Disposition header: `attachment` (or `inline`) with an ASCII
 * fallback `filename` and the exact name as `filename*`.
 */
export function contentDisposition(type: 'inline' | 'attachment', fileName: string | null): string {
  if (!fileName) return type;
  // One _ per character (code point) outside printable ASCII, and for the quoting and escape characters.
  const fallback = Array.from(fileName, (char) =>
    /^[\x20-\x7e]$/.test(char) && !/["\\%]/.test(char) ? char : '_',
  ).join('');
  return `${type}; filename="${fallback}"; filename*=UTF-8''${encodeRfc5987(fileName)}`;
}
