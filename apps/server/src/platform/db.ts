import fs from 'node:fs';
import path from 'node:path';
import type { PGlite as PGliteType } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import { PGliteDialect } from './pglite-dialect.js';
import { PGLITE_CONF, PGLITE_MEMORY } from './pglite-options.js';

// biome-ignore lint/suspicious/noExplicitAny: each domain types its own tables (see `tables`)
export type Db = Kysely<any>;
// biome-ignore lint/suspicious/noExplicitAny: as above
export type Tx = Transaction<any>;

/** The view of the database a domain's repository works with: only its own tables. */
export function tables<T>(db: Db | Tx): Kysely<T> {
  return db as unknown as Kysely<T>;
}

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Where the data lives, for messages: a folder or a redacted URL. */
  location: string;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** postgres://… to use a PostgreSQL server; otherwise embedded PGlite. */
  url?: string;
  /** PGlite data folder (the database goes in `<dataDir>/pgdata`); omitted = in memory. */
  dataDir?: string;
  /**
   * What a new embedded database starts from instead of running initdb: a ready data folder
   * (copied, for a data folder on disk) or a gzipped dump of one (loaded, for one in memory).
   */
  template?: string;
  /** Pool size for PostgreSQL. */
  poolSize?: number;
}

// Each driver is loaded only when used: the embedded server never loads pg (~15 MB), and a
// PostgreSQL server never loads PGlite.
async function loadPg() {
  const pg = (await import('pg')).default;
  // bigint (count(*), sums of integers) as a JS number on both databases, as PGlite does.
  pg.types.setTypeParser(20, (v) => Number.parseInt(v, 10));
  return pg;
}
async function loadPGlite(): Promise<typeof PGliteType> {
  return (await import('@electric-sql/pglite')).PGlite;
}
/** PostgreSQL extensions the migrations use, loaded into PGlite (pg_trgm: fuzzy customer search). */
async function pgliteExtensions() {
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
  return { pg_trgm };
}

export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
    readonly holder: string,
  ) {
    super(
      `The embedded database in ${dataDir} is in use by another Kith process (pid ${pid}, "${holder}"). ` +
        'Embedded PGlite allows one process at a time. Stop that process first, or run this through the ' +
        "running server's API (see /api/docs), or set DATABASE_URL to a PostgreSQL server to run several processes.",
    );
    this.name = 'DataDirInUseError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the data folder's lock file, or throws DataDirInUseError naming the holder. */
export function lockDataDir(dataDir: string, holder: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'kith.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify({ pid: process.pid, holder }), { flag: 'wx', mode: 0o600 });
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          const cur = JSON.parse(fs.readFileSync(file, 'utf8')) as { pid: number };
          if (cur.pid === process.pid) fs.unlinkSync(file);
        } catch {
          // already gone
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let cur: { pid: number; holder: string } | undefined;
      try {
        cur = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch {
        cur = undefined; // half-written or unreadable: treat as stale
      }
      if (cur && cur.pid !== process.pid && isAlive(cur.pid)) {
        throw new DataDirInUseError(dataDir, cur.pid, cur.holder);
      }
      // The process that held it is gone (killed, crashed): take the lock over.
      fs.rmSync(file, { force: true });
    }
  }
  throw new Error(`Could not lock ${dataDir}`);
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

/** Opens PostgreSQL (when a URL is given) or embedded PGlite. */
export async function openDatabase(opts: OpenOptions & { holder?: string }): Promise<Database> {
  if (opts.url) {
    const pg = await loadPg();
    const pool = new pg.Pool({ connectionString: opts.url, max: opts.poolSize ?? 10 });
    // An idle connection ended by the server (a restart, an administrator, a dropped database):
    // the pool discards it and the next query opens another. Unhandled, it would end the process.
    pool.on('error', () => {});
    const db: Db = new Kysely({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: 'postgres', location: redactUrl(opts.url), close: () => db.destroy() };
  }
  let release: (() => void) | undefined;
  let dir: string | undefined;
  if (opts.dataDir) {
    release = lockDataDir(opts.dataDir, opts.holder ?? process.argv.slice(2).join(' '));
    dir = path.join(opts.dataDir, 'pgdata');
  }
  try {
    const fresh = !dir || !fs.existsSync(path.join(dir, 'PG_VERSION'));
    const template = fresh && opts.template && fs.existsSync(opts.template) ? opts.template : undefined;
    let dump: Blob | undefined;
    if (template && fs.statSync(template).isDirectory()) {
      if (dir) await copyTemplate(template, dir);
    } else if (template) {
      dump = new Blob([fs.readFileSync(template)]);
    }
    const PGlite = await loadPGlite();
    // 'memory://', not undefined: PGlite loads no extensions into an unnamed database.
    const pglite = new PGlite(dir ?? 'memory://', {
      extensions: await pgliteExtensions(),
      initialMemory: PGLITE_MEMORY,
      postgresqlconf: PGLITE_CONF,
      ...(dump ? { loadDataDir: dump } : {}),
    });
    await pglite.waitReady;
    const db: Db = new Kysely({ dialect: new PGliteDialect(pglite) });
    return {
      db,
      kind: 'pglite',
      location: opts.dataDir ?? 'memory',
      close: async () => {
        try {
          await db.destroy();
        } finally {
          release?.();
        }
      },
    };
  } catch (err) {
    release?.();
    throw err;
  }
}

/**
 * Copies a ready data folder into place: into a temporary name first, then renamed, so a
 * crash half-way never leaves a half-copied database that looks complete.
 */
async function copyTemplate(template: string, dir: string): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.rmSync(dir, { recursive: true, force: true });
  await fs.promises.cp(template, tmp, { recursive: true });
  fs.renameSync(tmp, dir);
}

/**
 * Writes a freshly initialised PGlite database after `prepare` (the build applies the
 * migrations, so a new database starts ready): a data folder when `target` has no .gz ending,
 * else a gzipped dump (the test suite's in-memory databases load that).
 */
export async function writePgliteTemplate(target: string, prepare?: (db: Db) => Promise<unknown>): Promise<void> {
  const PGlite = await loadPGlite();
  const asFolder = !target.endsWith('.gz');
  const tmp = `${target}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const pglite = new PGlite(asFolder ? tmp : 'memory://', {
    extensions: await pgliteExtensions(),
    initialMemory: PGLITE_MEMORY,
    postgresqlconf: PGLITE_CONF,
  });
  await pglite.waitReady;
  if (prepare) await prepare(new Kysely({ dialect: new PGliteDialect(pglite) }));
  if (asFolder) {
    await pglite.close();
    fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(tmp, target);
    return;
  }
  const blob = await pglite.dumpDataDir('gzip');
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, Buffer.from(await blob.arrayBuffer()));
  await pglite.close();
}

/** True when the database answers a trivial query. */
export async function ping(db: Db): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}

/**
 * Refreshes the query planner's statistics (ANALYZE) of the tables that grew by more than a tenth
 * (on disk, against the size their last analysis recorded; at least 8 pages), and returns their
 * names. Embedded PGlite has no autovacuum, and a PostgreSQL server may run with it off or behind:
 * after a bulk load (an import, `kith demo`, a burst of events) the planner would otherwise plan
 * for the tables as they were. (The size on disk rather than PostgreSQL's change counters: those
 * reach the statistics views late, and on PGlite maybe never.)
 */
export async function refreshStatistics(db: Db): Promise<string[]> {
  const stale = await sql<{ name: string }>`
    select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind = 'r' and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%'
      and pg_relation_size(c.oid) / current_setting('block_size')::int > c.relpages * 1.1 + 8
    order by c.relname`.execute(db);
  const names = stale.rows.map((r) => r.name);
  for (const name of names) await sql`analyze ${sql.id(name)}`.execute(db);
  return names;
}

/**
 * Decides when written rows call for a look at the statistics (`refreshStatistics`, which then
 * analyses only what changed enough): once at least `minRows` and a fifth of everything written so
 * far by this process arrived since the last look.
 */
export class StatisticsKeeper {
  #since = 0;
  #total = 0;
  constructor(private readonly minRows = 10_000) {}

  /** Counts rows written; true when statistics should be refreshed now (the count restarts). */
  note(rows: number): boolean {
    this.#since += rows;
    this.#total += rows;
    if (this.#since < Math.max(this.minRows, this.#total * 0.2)) return false;
    this.#since = 0;
    return true;
  }
}
