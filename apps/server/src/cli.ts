import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { stdin, stdout } from 'node:process';
import readline from 'node:readline/promises';
import { Command, Option } from 'commander';
import { z } from 'zod';
import { createApiKey, listAllWorkspaces, recordAudit, setupFirstOwner } from './access/index.js';
import { email as emailSchema, password as passwordSchema } from './access/schemas.js';
import { API_VERSION } from './app.js';
import { duration, num, ProgressBar, processDemo, storeDemo } from './demo/index.js';
import { getImportOrThrow, IMPORT_KINDS, runImport, storeImport } from './imports/index.js';
import { type Config, loadConfig } from './platform/config.js';
import { DataDirInUseError, refreshStatistics } from './platform/db.js';
import { UserError } from './platform/errors.js';
import { runClvCommand } from './predict/clv-cli.js';
import { openContext, type Running, startServer, startWorker } from './server.js';

function fail(message: string): never {
  process.stderr.write(`kith: ${message}\n`);
  process.exit(1);
}

async function withContext<T>(
  config: Config,
  holder: string,
  fn: (ctx: Awaited<ReturnType<typeof openContext>>) => Promise<T>,
) {
  const ctx = await openContext(config, holder);
  try {
    return await fn(ctx);
  } finally {
    await ctx.database.close();
  }
}

/**
 * Handles SIGINT/SIGTERM from the moment a long-running command begins: a signal during
 * start-up waits for start-up to finish and then closes cleanly (never a half-open database);
 * a second signal forces the exit.
 */
function handleSignals(): { running(r: Running): void } {
  let running: Running | undefined;
  let requested: string | undefined;
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    process.stderr.write(`kith: ${signal}: shutting down…\n`);
    try {
      await running?.close();
      process.exit(0);
    } catch (err) {
      process.stderr.write(`kith: shutdown failed: ${(err as Error).message}\n`);
      process.exit(1);
    }
  };
  const onSignal = (signal: string) => {
    if (requested) {
      process.stderr.write(`kith: ${signal} again: exiting now\n`);
      process.exit(1);
    }
    requested = signal;
    if (running) void shutdown(signal);
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  return {
    running(r: Running) {
      running = r;
      if (requested) void shutdown(requested);
    },
  };
}

async function ask(
  rl: readline.Interface,
  question: string,
  schema: z.ZodType<string>,
  hidden = false,
): Promise<string> {
  for (;;) {
    const answer = hidden ? await askHidden(rl, question) : await rl.question(question);
    const r = schema.safeParse(answer.trim());
    if (r.success) return r.data;
    stdout.write(`  ${r.error.issues[0]?.message}\n`);
  }
}

async function askHidden(rl: readline.Interface, question: string): Promise<string> {
  const out = rl as unknown as { _writeToOutput?: (s: string) => void };
  const original = out._writeToOutput;
  out._writeToOutput = (s: string) => {
    if (s.startsWith(question)) stdout.write(question);
  };
  try {
    return await rl.question(question);
  } finally {
    out._writeToOutput = original;
    stdout.write('\n');
  }
}

function describe(err: unknown): string {
  if (err instanceof DataDirInUseError) return err.message;
  if (err instanceof UserError) return `${err.message}${err.field ? ` (${err.field})` : ''}`;
  return (err as Error).message ?? String(err);
}

export function buildCli(): Command {
  const program = new Command('kith').version(API_VERSION).description('Kith: one profile per customer.');
  program.showHelpAfterError();

  program
    .command('start')
    .description('Serve the API and the web app (with background workers) on KITH_PORT (8080)')
    .option('--no-workers', 'do not run background workers in this process (PostgreSQL only)')
    .action(async (opts: { workers: boolean }) => {
      const signals = handleSignals();
      const config = loadConfig();
      const t0 = performance.now();
      const running = await startServer(config, { workers: opts.workers });
      const where =
        running.ctx.database.kind === 'pglite'
          ? `embedded database in ${config.dataDir}`
          : `PostgreSQL at ${running.ctx.database.location}`;
      process.stderr.write(
        `Kith is running at http://localhost:${config.port} (${where}) — ready in ${Math.round(performance.now() - t0)} ms. API reference: /api/docs. Ctrl-C stops it.\n`,
      );
      signals.running(running);
    });

  program
    .command('worker')
    .description('Run only background workers against DATABASE_URL (scale-out)')
    .action(async () => {
      const signals = handleSignals();
      const running = await startWorker(loadConfig());
      process.stderr.write(`Kith worker running against ${running.ctx.database.location}. Ctrl-C stops it.\n`);
      signals.running(running);
    });

  program
    .command('migrate')
    .description('Apply pending database migrations (also done at every start)')
    .action(async () => {
      const config = loadConfig();
      await withContext(config, 'kith migrate', async (ctx) => {
        process.stdout.write(`Database is up to date (${ctx.database.kind}: ${ctx.database.location}).\n`);
      });
    });

  program
    .command('init')
    .description('Create the first workspace and its owner (prompts for what is missing)')
    .option('--workspace <name>', 'business (workspace) name')
    .option('--email <email>', "owner's email")
    .option('--password <password>', "owner's password (at least 10 characters)")
    .option('--name <name>', "owner's name")
    .action(async (opts: { workspace?: string; email?: string; password?: string; name?: string }) => {
      const config = loadConfig();
      let { workspace, email, password } = opts;
      if ((!workspace || !email || !password) && stdin.isTTY) {
        const rl = readline.createInterface({ input: stdin, output: stdout });
        try {
          workspace ??= await ask(rl, 'Business name: ', z.string().min(1, 'Required'));
          email ??= await ask(rl, 'Your email: ', emailSchema);
          password ??= await ask(rl, 'Password (10+ characters): ', passwordSchema, true);
        } finally {
          rl.close();
        }
      }
      if (!workspace || !email || !password)
        fail('init needs --workspace, --email and --password (or a terminal to ask)');
      const input = z
        .object({ workspaceName: z.string().min(1), email: emailSchema, password: passwordSchema })
        .safeParse({ workspaceName: workspace, email, password });
      if (!input.success)
        fail(
          `--${String(input.error.issues[0]?.path[0]).replace('workspaceName', 'workspace')}: ${input.error.issues[0]?.message}`,
        );
      await withContext(config, 'kith init', async (ctx) => {
        const { user, workspace: ws } = await setupFirstOwner(ctx.db, { ...input.data, name: opts.name });
        await recordAudit(ctx.db, {
          workspaceId: ws.id,
          actor: { type: 'cli', label: 'kith init' },
          action: 'workspace.setup',
          targetType: 'workspaces',
          targetId: ws.id,
        });
        process.stdout.write(`Created workspace "${ws.name}" (${ws.id}) with owner ${user.email}.\n`);
      });
    });

  program
    .command('demo')
    .description('Fill a workspace with a simulated bakery: two years of customers, visits, orders and refunds')
    .option('--customers <n>', 'how many customers (1,000,000 for benchmarks)', '5000')
    .option('--seed <seed>', 'random seed: the same seed makes the same data (and stores nothing new twice)', '1')
    .option('--workspace <id>', 'workspace id (needed when there are several)')
    .option('--no-process', 'only store the events; the workers of `kith start` build the profiles')
    .action(async (opts: { customers: string; seed: string; workspace?: string; process: boolean }) => {
      const customers = Number(opts.customers.replaceAll(/[_,]/g, ''));
      if (!Number.isInteger(customers) || customers < 1 || customers > 100_000_000)
        fail('--customers must be a whole number from 1 to 100,000,000');
      const config = loadConfig();
      await withContext(config, 'kith demo', async (ctx) => {
        const t0 = performance.now();
        const all = await listAllWorkspaces(ctx.db);
        let ws: { id: string; name: string } | undefined;
        if (all.length === 0) {
          if (opts.workspace) fail(`no workspace ${opts.workspace}`);
          const password = randomBytes(9).toString('hex');
          const { user, workspace } = await setupFirstOwner(ctx.db, {
            workspaceName: 'Corner Bakery',
            email: 'demo@example.com',
            password,
            name: 'Demo Owner',
            defaultCountry: 'ES',
            currency: 'EUR',
            timezone: 'Europe/Madrid',
            locale: 'es',
          });
          await recordAudit(ctx.db, {
            workspaceId: workspace.id,
            actor: { type: 'cli', label: 'kith demo' },
            action: 'workspace.setup',
            targetType: 'workspaces',
            targetId: workspace.id,
          });
          ws = workspace;
          process.stdout.write(
            `Created workspace "${workspace.name}" (${workspace.id}). Sign in as ${user.email} with password ${password} (shown once).\n`,
          );
        } else {
          ws = opts.workspace ? all.find((w) => w.id === opts.workspace) : all.length === 1 ? all[0] : undefined;
          if (!ws)
            fail(
              opts.workspace
                ? `no workspace ${opts.workspace}`
                : `several workspaces: pass --workspace (one of ${all.map((w) => w.id).join(', ')})`,
            );
        }
        const store = new ProgressBar('Storing events  ');
        const stored = await storeDemo(ctx.db, ws.id, {
          customers,
          seed: opts.seed,
          concurrency: ctx.database.kind === 'postgres' ? 4 : 1,
          onProgress: (p) =>
            store.update(
              p.customers,
              p.totalCustomers,
              `${num(p.events)} events / ${num(p.customers)} customers · ${num(p.events / store.seconds)} events/s`,
            ),
        });
        const { stats } = stored;
        store.update(
          stats.customers,
          customers,
          `${num(stats.events)} events / ${num(stats.customers)} customers · ${num(stats.events / store.seconds)} events/s`,
          true,
        );
        store.done();
        const storeSeconds = store.seconds;
        if (stored.rejected)
          process.stderr.write(`kith: ${num(stored.rejected)} events were quarantined (${stored.firstRejection})\n`);
        let processSeconds = 0;
        if (opts.process) {
          const work = new ProgressBar('Building profiles');
          const total = stored.accepted;
          const processed = await processDemo(ctx.db, ws.id, (n) =>
            work.update(n, total, `${num(n)} / ${num(total)} events · ${num(n / work.seconds)} events/s`),
          );
          work.update(
            processed,
            total,
            `${num(processed)} / ${num(total)} events · ${num(processed / work.seconds)} events/s`,
            true,
          );
          work.done();
          processSeconds = work.seconds;
          if (processed < stored.accepted)
            process.stderr.write('kith: another process (a running server) is building the remaining profiles\n');
        }
        // Statistics for the planner after the bulk load (PGlite has no autovacuum).
        await refreshStatistics(ctx.db);
        const again = stored.duplicates
          ? ` (${num(stored.duplicates)} were already stored by an earlier run with seed ${opts.seed})`
          : '';
        process.stdout.write(
          [
            `Demo data for "${ws.name}" (${ws.id}), seed ${opts.seed}:`,
            `  customers  ${num(stats.customers)} (and ${num(stats.anonymousVisitors)} anonymous visitors who never identified)`,
            `  events     ${num(stats.events)}${again}`,
            `  orders     ${num(stats.orders)} (${num(stats.refunds)} refunds)`,
            `  time       ${duration((performance.now() - t0) / 1000)} (storing ${duration(storeSeconds)}${opts.process ? `, building profiles ${duration(processSeconds)}` : '; profiles are built by the workers of `kith start`'})`,
            '',
          ].join('\n'),
        );
      });
    });

  program
    .command('import')
    .description('Import a CSV of customers, orders or products (the same code as POST /api/v1/imports, run here)')
    .argument('<kind>', `what the file holds: ${IMPORT_KINDS.join(' | ')}`)
    .argument('<file>', 'the CSV file')
    .option('--map <pairs>', 'column=field,… (CSV column → Kith field)')
    .option('--preset <name>', 'a known layout instead of --map: online-retail')
    .option('--workspace <id>', 'workspace id (needed when there are several)')
    .option('--source <name>', 'the import source to record the data under')
    .action(
      async (
        kind: string,
        file: string,
        opts: { map?: string; preset?: string; workspace?: string; source?: string },
      ) => {
        let mapping: string | undefined;
        if (opts.map) {
          const pairs: Record<string, string> = {};
          for (const pair of opts.map.split(',')) {
            const at = pair.lastIndexOf('=');
            if (at <= 0) fail(`--map: "${pair}" is not column=field`);
            pairs[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
          }
          mapping = JSON.stringify(pairs);
        }
        let content: Buffer;
        try {
          content = await readFile(file);
        } catch (err) {
          fail(`cannot read ${file}: ${(err as Error).message}`);
        }
        const config = loadConfig();
        await withContext(config, 'kith import', async (ctx) => {
          const all = await listAllWorkspaces(ctx.db);
          const ws = opts.workspace ? all.find((w) => w.id === opts.workspace) : all.length === 1 ? all[0] : undefined;
          if (!ws)
            fail(
              opts.workspace
                ? `no workspace ${opts.workspace}`
                : all.length === 0
                  ? 'no workspace yet: run `kith init` first'
                  : `several workspaces: pass --workspace (one of ${all.map((w) => w.id).join(', ')})`,
            );
          const imp = await storeImport(ctx.db, ws.id, null, {
            kind,
            mapping,
            preset: opts.preset,
            sourceName: opts.source,
            file: { name: path.basename(file), content },
          });
          const bar = new ProgressBar('Importing');
          let last = { done: 0, total: 0, message: '' };
          await runImport(
            {
              db: ctx.db,
              reportProgress: async (p) => {
                last = { done: p.done ?? 0, total: p.total ?? 0, message: p.message ?? '' };
                bar.update(last.done, last.total, `${num(last.done)} / ${num(last.total)} rows · ${last.message}`);
              },
            },
            imp.id,
          );
          bar.update(last.total, last.total, `${num(last.total)} rows`, true);
          bar.done();
          const r = await getImportOrThrow(ctx.db, ws.id, imp.id);
          const lines = [
            `Import ${r.id} (${r.kind}${r.preset ? `, preset ${r.preset}` : ''}) of ${file} into "${ws.name}" (${ws.id}): ${r.status}, ${duration(bar.seconds)}`,
            `  rows      ${num(r.progress.rowsTotal ?? 0)}`,
            `  imported  ${num(r.progress.rowsImported)}${r.progress.rowsDuplicate ? ` (${num(r.progress.rowsDuplicate)} already imported)` : ''}`,
            `  rejected  ${num(r.progress.rowsRejected)}`,
            ...r.rejections.slice(0, 10).map((x) => `    line ${x.line}${x.field ? ` (${x.field})` : ''}: ${x.reason}`),
            ...(r.progress.rowsRejected > 10 ? [`    … and ${num(r.progress.rowsRejected - 10)} more`] : []),
            '',
          ];
          process.stdout.write(lines.join('\n'));
        });
      },
    );

  const apiKey = program.command('api-key').description('Manage API keys');
  apiKey
    .command('create')
    .description('Create an API key and print it once')
    .requiredOption('--name <name>', 'what the key is for')
    .addOption(
      new Option('--scopes <scopes>', 'comma-separated: read, write, admin, <resource>:read|write').default('read'),
    )
    .option('--workspace <id>', 'workspace id (needed when there are several)')
    .action(async (opts: { name: string; scopes: string; workspace?: string }) => {
      const config = loadConfig();
      await withContext(config, 'kith api-key create', async (ctx) => {
        const all = await listAllWorkspaces(ctx.db);
        if (all.length === 0) fail('no workspace yet: run `kith init` first');
        const ws = opts.workspace ? all.find((w) => w.id === opts.workspace) : all.length === 1 ? all[0] : undefined;
        if (!ws)
          fail(
            opts.workspace
              ? `no workspace ${opts.workspace}`
              : `several workspaces: pass --workspace (one of ${all.map((w) => w.id).join(', ')})`,
          );
        const scopes = opts.scopes
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean);
        const { apiKey: k, key } = await createApiKey(ctx.db, ws.id, { name: opts.name, scopes }, null);
        await recordAudit(ctx.db, {
          workspaceId: ws.id,
          actor: { type: 'cli', label: 'kith api-key create' },
          action: 'api_key.create',
          targetType: 'api-keys',
          targetId: k.id,
        });
        process.stderr.write(
          `API key "${k.name}" (${k.id}) for ${ws.name}, scopes ${k.scopes.join(', ')}. Shown once — store it now:\n`,
        );
        process.stdout.write(`${key}\n`);
      });
    });

  const predict = program.command('predict').description('Predictive models, fitted from a file');
  predict
    .command('clv')
    .description('Fit BG/NBD (purchases) and Gamma-Gamma (spend) to transactions or a summary; print JSON')
    .option('--transactions <file>', 'transactions: CDNOW layout, or a CSV with customer id, date and amount columns')
    .option('--summary <file>', 'per-customer summary CSV: x/frequency, t_x/recency, T, optional zbar/monetary_value')
    .option('--calibration-end <date>', 'last day of the calibration period (default: the last transaction)')
    .addOption(new Option('--time-unit <unit>', 'model time unit').choices(['days', 'weeks']).default('weeks'))
    .option('--holdout-end <date>', 'last day of a holdout period: compare predictions with what happened')
    .action(
      async (opts: {
        transactions?: string;
        summary?: string;
        calibrationEnd?: string;
        timeUnit: 'days' | 'weeks';
        holdoutEnd?: string;
      }) => {
        if (!opts.transactions === !opts.summary) fail('predict clv needs --transactions FILE or --summary FILE');
        const result = await runClvCommand(opts);
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      },
    );

  return program;
}

export async function main(argv = process.argv): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (err) {
    fail(describe(err));
  }
}

await main();
