/**
 * Test helpers for the PostgreSQL storage: a fresh schema per harness, dropped
 * afterwards, so the suites share one database without interfering.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { OpenStorage } from '../contract/harness.js';
import { openPostgresStorage, type PostgresStorage, type PostgresStorageOptions } from './index.js';

export const DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Why the database cannot be used, or null when it answers. */
export async function unreachableReason(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (err) {
    return err instanceof Error ? err.message || err.name : String(err);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Runs `fn` on a short-lived connection, in the schema when given. */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>, schema?: string): Promise<T> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: 5_000,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

export function schemaName(): string {
  return `chat_test_${randomBytes(6).toString('hex')}`;
}

export async function createSchema(url: string): Promise<string> {
  const schema = schemaName();
  await withClient(url, (client) => client.query(`CREATE SCHEMA ${schema}`));
  return schema;
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  await withClient(url, (client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));
}

export type TestOptions = Omit<PostgresStorageOptions, 'connectionString' | 'schema'>;

export function openIn(url: string, schema: string, options: TestOptions = {}): Promise<PostgresStorage> {
  return openPostgresStorage({ connectionString: url, schema, partitionMaintenanceMs: 0, ...options });
}

/** A contract-suite harness: a fresh schema per open, reopened in place, dropped at cleanup. */
export function harnessFor(url: string, options: TestOptions = {}): OpenStorage {
  return async () => {
    const schema = await createSchema(url);
    let storage: PostgresStorage;
    try {
      storage = await openIn(url, schema, options);
    } catch (err) {
      await dropSchema(url, schema);
      throw err;
    }
    return {
      get storage() {
        return storage;
      },
      reopen: async () => {
        await storage.close();
        storage = await openIn(url, schema, options);
        return storage;
      },
      cleanup: async () => {
        try {
          await storage.close();
        } finally {
          await dropSchema(url, schema);
        }
      },
    };
  };
}
