/**
 * Video and audio with ffmpeg/ffprobe, when installed (Debian's `ffmpeg`
 * package): duration and dimensions, a poster frame for the thumbnail, and a
 * copy of the file without its container metadata (recording location, device,
 * dates). Without ffmpeg, media is served as uploaded with no thumbnail.
 * Every run is bounded in time and killed past it.
 */
import { spawn } from 'node:child_process';

const RUN_TIMEOUT_MS = 60_000;
const OUTPUT_LIMIT = 1024 * 1024;

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: readonly string[], timeoutMs = RUN_TIMEOUT_MS): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      if (stdout.length < OUTPUT_LIMIT) stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < OUTPUT_LIMIT) stderr += chunk.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

let available: Promise<boolean> | undefined;

/** Whether ffmpeg and ffprobe run here (checked once per process). */
export function ffmpegAvailable(): Promise<boolean> {
  available ??= Promise.all([run('ffmpeg', ['-version'], 10_000), run('ffprobe', ['-version'], 10_000)]).then(
    (results) => results.every((r) => r.code === 0),
    () => false,
  );
  return available;
}

export interface Probe {
  durationMs: number | null;
  width: number | null;
  height: number | null;
  hasVideo: boolean;
}

/** Duration and the first video stream's displayed size; null when ffprobe cannot read the file. */
export async function probe(path: string): Promise<Probe | null> {
  const result = await run('ffprobe', [
    '-v',
    'error',
    '-print_format',
    'json',
    '-show_entries',
    'format=duration:stream=codec_type,width,height:stream_side_data=rotation',
    path,
  ]);
  if (result.code !== 0) return null;
  try {
    const parsed = JSON.parse(result.stdout) as {
      format?: { duration?: string };
      streams?: {
        codec_type?: string;
        width?: number;
        height?: number;
        side_data_list?: { rotation?: number }[];
      }[];
    };
    const seconds = Number(parsed.format?.duration);
    const video = parsed.streams?.find((s) => s.codec_type === 'video' && (s.width ?? 0) > 0);
    const rotation = Math.abs(video?.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ?? 0);
    const turned = rotation === 90 || rotation === 270;
    const width = video?.width ?? null;
    const height = video?.height ?? null;
    return {
      durationMs: Number.isFinite(seconds) && seconds >= 0 ? Math.round(seconds * 1000) : null,
      width: turned ? height : width,
      height: turned ? width : height,
      hasVideo: video !== undefined,
    };
  } catch {
    return null;
  }
}

/** One frame as PNG (at 1 s, or the first one for short clips); false when none could be taken. */
export async function posterFrame(path: string, target: string, durationMs: number | null): Promise<boolean> {
  const at = durationMs !== null && durationMs > 2000 ? '1' : '0';
  for (const seek of at === '0' ? ['0'] : [at, '0']) {
    const result = await run('ffmpeg', [
      '-nostdin',
      '-v',
      'error',
      '-y',
      '-ss',
      seek,
      '-i',
      path,
      '-frames:v',
      '1',
      '-an',
      '-f',
      'image2',
      '-c:v',
      'png',
      target,
    ]);
    if (result.code === 0) return true;
  }
  return false;
}

const MUXERS: Record<string, string> = { 'video/mp4': 'mp4', 'video/quicktime': 'mov', 'video/webm': 'webm' };

/**
 * A copy of the video's audio and video streams, bit for bit, without global
 * or stream metadata and chapters (and, for MP4/MOV, with the index first so
 * playback starts before the download ends). False when the container cannot
 * be rewritten; the caller then serves the original.
 */
export async function stripVideoMetadata(path: string, target: string, mimeType: string): Promise<boolean> {
  const muxer = MUXERS[mimeType];
  if (!muxer) return false;
  const result = await run('ffmpeg', [
    '-nostdin',
    '-v',
    'error',
    '-y',
    '-i',
    path,
    '-map',
    '0:v?',
    '-map',
    '0:a?',
    '-map_metadata',
    '-1',
    '-map_metadata:s',
    '-1',
    '-map_chapters',
    '-1',
    '-c',
    'copy',
    ...(muxer === 'webm' ? [] : ['-movflags', '+faststart']),
    '-f',
    muxer,
    target,
  ]);
  return result.code === 0;
}
