/**
 * 7: uploaded media. Text keys use COLLATE "C" like the other tables. Messages
 * find their media by media_id; the partial index on the partitioned messages
 * table is created on every partition, present and future.
 */
export const MEDIA_TABLES = `
CREATE TABLE media (
  id                  text COLLATE "C" PRIMARY KEY,
  uploader_id         text COLLATE "C" NOT NULL REFERENCES users (id),
  sha256              text COLLATE "C" NOT NULL, -- of the uploaded bytes: the deduplication key
  kind                text NOT NULL CHECK (kind IN ('image', 'video', 'audio', 'file')),
  mime_type           text NOT NULL,
  size                bigint NOT NULL,
  blob_key            text COLLATE "C" NOT NULL, -- sha256 of the served bytes
  file_name           text,
  width               integer,
  height              integer,
  duration_ms         bigint,
  thumbnail_key       text COLLATE "C",
  thumbnail_mime_type text,
  thumbnail_size      bigint,
  thumbnail_width     integer,
  thumbnail_height    integer,
  created_at          text COLLATE "C" NOT NULL,
  last_used_at        text COLLATE "C" NOT NULL,
  CONSTRAINT media_uploader_sha256 UNIQUE (uploader_id, sha256)
);
CREATE INDEX media_last_used ON media (last_used_at);
CREATE INDEX media_blob ON media (blob_key);
CREATE INDEX media_thumbnail ON media (thumbnail_key) WHERE thumbnail_key IS NOT NULL;
CREATE INDEX messages_media ON messages (media_id) WHERE media_id IS NOT NULL;
`;
