/** A round avatar: the picture when there is one (initials if it fails to load), an online dot. */
import { useState } from 'react';
import { hueOf, initials } from '../lib/names.js';

interface AvatarProps {
  id: string;
  name: string;
  url?: string | null;
  size?: number;
  online?: boolean;
}

export function Avatar({ id, name, url, size = 48, online = false }: AvatarProps) {
  const [broken, setBroken] = useState<string | null>(null);
  const showImage = url && broken !== url;
  const hue = hueOf(id);
  return (
    <span
      className="avatar"
      style={{ width: size, height: size, fontSize: Math.round(size * 0.38) }}
      aria-hidden="true"
    >
      {showImage ? (
        <img src={url} alt="" width={size} height={size} onError={() => setBroken(url)} />
      ) : (
        <span className="avatar-initials" style={{ background: `hsl(${hue} 42% 52%)` }}>
          {initials(name)}
        </span>
      )}
      {online && <span className="online-dot" />}
    </span>
  );
}
