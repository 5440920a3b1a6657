import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { IngestProcessor } from './ingest/index.js';
import { registerJobHandlers } from './jobs.js';
import { JourneyRunner } from './journeys/index.js';
import { pgliteTemplate, webDist } from './paths.js';
import type { Config } from './platform/config.js';
import type { AppContext } from './platform/context.js';
import { openDatabase } from './platform/db.js';
import { JobQueue } from './platform/jobs.js';
import { createLogger } from './platform/logging.js';
import { migrateToLatest } from './platform/migrations.js';
import { loadOrCreateSecret } from './platform/secret.js';

export interface Running {
  app: FastifyInstance | null;
  ctx: AppContext;
  close(): Promise<void>;
}

/** Opens the database (taking the data folder's lock on PGlite) and applies pending migrations. */
export async function openContext(config: Config, holder: string): Promise<AppContext> {
  const database = await openDatabase({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    template: pgliteTemplate,
    holder,
  });
  try {
    await migrateToLatest(database.db);
    const secret = loadOrCreateSecret(config.dataDir, config.secret);
    const logger = createLogger(config.logLevel);
    const jobs = new JobQueue(database.db, { logger });
    registerJobHandlers(jobs, database.db, { secret, publicUrl: config.publicUrl, port: config.port });
    return { config, database, db: database.db, secret, jobs };
  } catch (err) {
    await database.close();
    throw err;
  }
}

/** `kith start`: API and web app on one port, with in-process job workers unless disabled. */
export async function startServer(config: Config, opts: { workers?: boolean } = {}): Promise<Running> {
  const ctx = await openContext(config, 'kith start');
  const app = await buildApp(ctx, { logger: createLogger(config.logLevel), webDist });
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    await app.close();
    await ctx.database.close();
    throw err;
  }
  // PGlite is single-process, so its workers always run in-process.
  const workers =
    ctx.database.kind === 'pglite' ? Math.max(config.workers, 1) : opts.workers === false ? 0 : config.workers;
  const processor = new IngestProcessor(ctx.db, {
    logger: app.log,
    // PGlite runs on this thread: small batches keep HTTP responsive. PostgreSQL works elsewhere.
    batchSize: ctx.database.kind === 'pglite' ? 100 : 1000,
  });
  const journeys = new JourneyRunner(ctx.db, { logger: app.log });
  if (workers > 0) {
    ctx.jobs.start();
    processor.start();
    journeys.start();
  }
  return {
    app,
    ctx,
    close: async () => {
      await app.close();
      await processor.stop();
      await journeys.stop();
      await ctx.jobs.stop();
      await ctx.database.close();
    },
  };
}

/** `kith worker`: only background workers (PostgreSQL only, for scale-out). */
export async function startWorker(config: Config): Promise<Running> {
  if (!config.databaseUrl) {
    throw new Error(
      'kith worker needs DATABASE_URL: with the embedded database, workers run inside `kith start`. ' +
        'Set DATABASE_URL=postgres://… to run separate worker processes.',
    );
  }
  const ctx = await openContext(config, 'kith worker');
  const processor = new IngestProcessor(ctx.db, { logger: createLogger(config.logLevel), batchSize: 1000 });
  const journeys = new JourneyRunner(ctx.db, { logger: createLogger(config.logLevel) });
  ctx.jobs.start();
  processor.start();
  journeys.start();
  return {
    app: null,
    ctx,
    close: async () => {
      await processor.stop();
      await journeys.stop();
      await ctx.jobs.stop();
      await ctx.database.close();
    },
  };
}
