/**
 * Migration 8: the operator flag. The first registered user becomes admin (an
 * empty server needs someone who can open the dashboard); later ones are set by
 * `chat admin grant`. The advisory lock only matters while the table is empty:
 * two first registrations racing would otherwise both see no users.
 */
export const ADMIN_FLAG = `
ALTER TABLE users ADD COLUMN is_admin boolean NOT NULL DEFAULT false;

UPDATE users SET is_admin = true
 WHERE id = (SELECT id FROM users ORDER BY created_at, id LIMIT 1);

CREATE FUNCTION users_first_is_admin() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM users) THEN
    PERFORM pg_advisory_xact_lock(${0x63686174}, 3);
    IF NOT EXISTS (SELECT 1 FROM users) THEN
      NEW.is_admin := true;
    END IF;
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER users_first_is_admin BEFORE INSERT ON users
  FOR EACH ROW EXECUTE FUNCTION users_first_is_admin();
`;
