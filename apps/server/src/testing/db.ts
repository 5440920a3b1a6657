import crypto from 'node:crypto';
import pg from 'pg';
import { afterAll } from 'vitest';
import { type Database, openDatabase } from '../platform/db.js';
import { migrateToLatest } from '../platform/migrations.js';

export const testDbKind = process.env.KITH_TEST_DB === 'postgres' ? 'postgres' : 'pglite';

const postgresUrls = new WeakMap<Database, string>();

/**
 * The postgres:// URL of a database made by createTestDatabase, to open a second pool on it
 * (as a second worker process would). Throws on PGlite, which has no URL.
 */
export function testDatabaseUrl(database: Database): string {
  const url = postgresUrls.get(database);
  if (!url) throw new Error('Only PostgreSQL test databases have a URL (testDbKind is pglite)');
  return url;
}

/** A PostgreSQL URL for a new, empty database on the test server. */
export async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const base = process.env.KITH_TEST_DATABASE_URL;
  if (!base) throw new Error('KITH_TEST_DATABASE_URL is not set');
  const name = `kith_t_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(base);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/**
 * A fresh, migrated database for one test file: in-memory PGlite (from the template made by
 * the global setup), or a new database on KITH_TEST_DATABASE_URL in the postgres project.
 * Closed and dropped after the file's tests.
 */
export async function createTestDatabase(opts: { migrate?: boolean } = {}): Promise<Database> {
  let database: Database;
  let drop: (() => Promise<void>) | undefined;
  if (testDbKind === 'postgres') {
    const created = await createPostgresDatabase();
    drop = created.drop;
    database = await openDatabase({ url: created.url, poolSize: 8 });
    postgresUrls.set(database, created.url);
  } else {
    database = await openDatabase({ template: process.env.KITH_TEST_PGLITE_DUMP });
  }
  if (opts.migrate !== false) await migrateToLatest(database.db);
  afterAll(async () => {
    await database.close();
    await drop?.();
  });
  return database;
}
