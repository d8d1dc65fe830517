/**
 * Test support: real files made in the test (sharp for images, ffmpeg for a
 * video when installed, PDFs and hostile files by hand) and a multipart
 * upload client that controls every byte of the part headers.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';

export async function png(width = 640, height = 480, color = '#3080c0'): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 4, background: color } })
    .png()
    .toBuffer();
}

export async function jpeg(width = 800, height = 600, color = '#c04030'): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: color } })
    .jpeg()
    .toBuffer();
}

/** A JPEG stored 600×300 with EXIF orientation 6 (displayed 300×600), a camera make and a GPS position. */
export async function jpegWithExif(): Promise<Buffer> {
  return sharp({ create: { width: 600, height: 300, channels: 3, background: '#208040' } })
    .jpeg()
    .withMetadata({ orientation: 6 })
    .withExif({
      IFD0: { Make: 'SecretCam', Model: 'Model X' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '51/1 30/1 2646/100',
        GPSLongitudeRef: 'W',
        GPSLongitude: '0/1 7/1 3972/100',
      },
    })
    .toBuffer();
}

/** Whether the bytes hold an EXIF block with a GPS IFD pointer (tag 0x8825, either byte order). */
export function hasGps(bytes: Buffer): boolean {
  const exif = bytes.indexOf(Buffer.from('Exif\0\0', 'latin1'));
  if (exif < 0) return false;
  const block = bytes.subarray(exif, exif + 65_536);
  return block.includes(Buffer.from([0x25, 0x88, 0x04, 0x00])) || block.includes(Buffer.from([0x88, 0x25, 0x00, 0x04]));
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * A decompression bomb: a valid PNG header claiming width × height RGB pixels
 * (with a correct CRC) and a tiny IDAT. Decoded it would take gigabytes.
 */
export function pngBomb(width = 20_000, height = 20_000): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const idat = Buffer.from([0x78, 0x9c, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', idat),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A small, valid one-page PDF written by hand (with a correct xref table). */
export function pdf(text = 'Hello'): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R >>',
  ];
  const stream = `BT /F1 12 Tf 20 50 Td (${text}) Tj ET`;
  objects.push(`<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`);
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) out += `${String(offset).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** HTML pretending to be a PNG (by name and declared type only). */
export function htmlAsPng(): Buffer {
  return Buffer.from('<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>');
}

export function svg(): Buffer {
  return Buffer.from(
    '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>',
  );
}

const exec = promisify(execFile);

/** A 2-second 160×120 MP4 (H.264) with a location and a title in its metadata, or null without ffmpeg. */
export async function mp4(): Promise<Buffer | null> {
  const dir = await mkdtemp(join(tmpdir(), 'chat-mp4-'));
  try {
    const out = join(dir, 'clip.mp4');
    await exec('ffmpeg', [
      '-nostdin',
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=160x120:rate=10',
      '-t',
      '2',
      '-pix_fmt',
      'yuv420p',
      '-metadata',
      'location=+51.5000-000.1167/',
      '-metadata',
      'title=SecretTitle',
      '-y',
      out,
    ]);
    return await readFile(out);
  } catch {
    return null;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface Part {
  field?: string;
  /** Written as is into filename="…" (raw UTF-8 bytes, as browsers send it). */
  fileName?: string;
  type?: string;
  bytes: Buffer;
}

/** A multipart/form-data body with full control of the part headers. */
export function multipart(parts: Part[]): { body: Buffer; contentType: string } {
  const boundary = `----chat${randomBytes(12).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const name = part.field ?? 'file';
    let disposition = `form-data; name="${name}"`;
    if (part.fileName !== undefined) disposition += `; filename="${part.fileName}"`;
    const headers = [`--${boundary}`, `Content-Disposition: ${disposition}`];
    if (part.type !== undefined) headers.push(`Content-Type: ${part.type}`);
    chunks.push(Buffer.from(`${headers.join('\r\n')}\r\n\r\n`, 'utf8'), part.bytes, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
