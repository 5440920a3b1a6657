// npm run bench -- journeys (or npm run bench:journeys): the journey engine on PostgreSQL.
//
// 1. Throughput: 10,000 customers (with email consent) enter a 5-step journey at once (one track
//    event each, processed as the tracking API's events are): condition → update profile → send
//    an email → random split → task or exit. Measured: steps executed per second by the engine
//    (one process, batches of 500), against the reference measured in the same run on the same
//    database: the raw job queue's own throughput (platform/jobs.ts, no-op jobs enqueued in bulk
//    and run by one worker with 8 slots) — the way a one-job-per-step engine would have to go.
// 2. Latency: with everything running as `kith start` runs it (event processing, the journey
//    runner, the send jobs), trigger events arrive at a steady rate through `ingest()`; measured:
//    the time from an event stored to its email received by the SMTP server (smtp-server in this
//    process), p50 and p95, with no wait step.
import { performance } from 'node:perf_hooks';
import { log, root, serverRequire, setLogPrefix, stats } from './lib/kith-bench.mjs';

const env = process.env;
const CUSTOMERS = Number(env.KITH_BENCH_JOURNEY_CUSTOMERS ?? 10_000);
const PROBES = Number(env.KITH_BENCH_JOURNEY_PROBES ?? 200);
const PROBE_RATE = Number(env.KITH_BENCH_JOURNEY_PROBE_RATE ?? 20);
const baseUrl = env.KITH_BENCH_DATABASE_URL ?? env.KITH_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const dist = (p) => import(`${root}/apps/server/dist/src/${p}`);

const int = (n) => Math.round(n).toLocaleString('en-US');
const ms = (x) => (x < 10 ? x.toFixed(1) : int(x));

async function admin(sqlText) {
  const pg = serverRequire('pg');
  const c = new pg.Client({ connectionString: baseUrl });
  await c.connect();
  try {
    await c.query(sqlText);
  } finally {
    await c.end();
  }
}

export async function run() {
  setLogPrefix('journeys');
  const name = `kith_bench_journeys_${process.pid}`;
  await admin(`create database ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  const { openDatabase } = await dist('platform/db.js');
  const { migrateToLatest } = await dist('platform/migrations.js');
  const { JobQueue } = await dist('platform/jobs.js');
  await dist('app.js'); // every domain's hooks
  const { setupFirstOwner } = await dist('access/index.js');
  const { createSource, sourceForWriteKey, ingest, processAllPending, IngestProcessor } = await dist('ingest/index.js');
  const { createJourney, publishJourney, runWorkspace, JourneyRunner } = await dist('journeys/index.js');
  const { registerMessagingJobs, saveEmailSettings } = await dist('messaging/index.js');
  const { SMTPServer } = serverRequire('smtp-server');
  const database = await openDatabase({ url: url.toString(), poolSize: 12 });
  const db = database.db;
  const received = new Map();
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, cb) {
      const to = session.envelope.rcptTo[0]?.address;
      stream.on('data', () => {});
      stream.on('end', () => {
        if (to && !received.has(to)) received.set(to, performance.now());
        cb();
      });
    },
  });
  try {
    await migrateToLatest(db);
    const { workspace } = await setupFirstOwner(db, {
      workspaceName: 'Bench Bakery',
      email: 'owner@bench.example',
      password: 'bench-password-42',
      name: 'Owner',
    });
    const ws = workspace.id;
    const port = await new Promise((resolve) => {
      smtp.listen(0, '127.0.0.1', () => resolve(smtp.server.address().port));
    });
    await saveEmailSettings(db, 'bench-secret-0123456789-abcdefghijklmnop', ws, {
      host: '127.0.0.1',
      port,
      secure: false,
      fromName: 'Bench Bakery',
      fromAddress: 'hello@bench.example',
    });
    const source = await sourceForWriteKey(db, (await createSource(db, ws, { name: 'Web', channel: 'web' })).writeKey);
    const store = async (events) => {
      for (let i = 0; i < events.length; i += 500)
        await ingest(db, source, { batch: events.slice(i, i + 500) }, 'batch');
    };
    const now = new Date().toISOString();
    log(`${int(CUSTOMERS)} customers…`);
    await store(
      Array.from({ length: CUSTOMERS }, (_, i) => ({
        type: 'identify',
        messageId: `id-${i}`,
        userId: `u${i}`,
        timestamp: now,
        traits: { email: `c${i}@bench.example`, plan: i % 4 === 0 ? 'free' : 'paid', consent: { email: 'subscribed' } },
      })),
    );
    await processAllPending(db, ws, 1000);

    // 1. Throughput.
    const journey = await createJourney(
      db,
      ws,
      {
        name: 'Five steps',
        definition: {
          trigger: { type: 'event', event: 'Bench Started' },
          start: 'paid',
          nodes: {
            paid: {
              type: 'condition',
              rule: { type: 'trait', trait: 'plan', op: 'equals', value: 'paid' },
              yes: 'tag',
              no: 'tag',
            },
            tag: { type: 'update_profile', addTags: ['bench'], next: 'email' },
            email: {
              type: 'send',
              channel: 'email',
              purpose: 'marketing',
              subject: 'Hello {{ customer.first_name | default: "there" }}',
              html: '<p>Fresh bread today.</p>',
              next: 'split',
            },
            split: {
              type: 'split',
              branches: [
                { percent: 50, next: 'task' },
                { percent: 50, next: 'done' },
              ],
            },
            task: { type: 'task', title: 'Say hello' },
            done: { type: 'exit' },
          },
        },
      },
      null,
    );
    await publishJourney(db, ws, journey.id, null);
    await store(
      Array.from({ length: CUSTOMERS }, (_, i) => ({
        type: 'track',
        messageId: `go-${i}`,
        userId: `u${i}`,
        event: 'Bench Started',
        timestamp: now,
      })),
    );
    await processAllPending(db, ws, 1000);
    log('engine…');
    // Outside quiet hours whatever the hour of the run: the engine's clock at 12:00 UTC today.
    const noon = new Date();
    noon.setUTCHours(12, 0, 0, 0);
    const t0 = performance.now();
    let steps = 0;
    let enrolled = 0;
    for (;;) {
      const r = await runWorkspace(db, ws, noon);
      steps += r.steps;
      enrolled += r.enrolled;
      if (r.due === 0 && r.enrolled === 0) break;
    }
    const engineSeconds = (performance.now() - t0) / 1000;
    const { sql } = serverRequire('kysely');
    const done =
      await sql`select count(*)::int as n from journey_enrollments where workspace_id = ${ws} and state <> 'active'`.execute(
        db,
      );
    const queued = await sql`select count(*)::int as n from messages where workspace_id = ${ws}`.execute(db);
    log(`${int(steps)} steps in ${engineSeconds.toFixed(1)} s`);
    // Throw the 10,000 send jobs away (not part of this measure) before the reference.
    await sql`delete from jobs where queue = 'messaging.send'`.execute(db);

    // The reference: the job queue's own throughput on the same database.
    const queue = new JobQueue(db, { pollIntervalMs: 50 });
    let ran = 0;
    queue.register(
      'bench.noop',
      async () => {
        ran++;
      },
      { concurrency: 8 },
    );
    const payloads = Array.from({ length: CUSTOMERS }, (_, i) => ({ i }));
    const q0 = performance.now();
    await queue.enqueueMany('bench.noop', payloads, { workspaceId: ws });
    await queue.drain({ timeoutMs: 600_000 });
    const queueSeconds = (performance.now() - q0) / 1000;
    log(`job queue: ${int(ran)} jobs in ${queueSeconds.toFixed(1)} s`);

    // 2. Latency, as `kith start` runs: processing, the runner, the send jobs.
    const probe = await createJourney(
      db,
      ws,
      {
        name: 'Probe',
        definition: {
          trigger: { type: 'event', event: 'Probe' },
          entry: { mode: 'every_time' },
          start: 'email',
          nodes: {
            email: { type: 'send', channel: 'email', purpose: 'transactional', subject: 'Probe', html: '<p>Probe</p>' },
          },
        },
      },
      null,
    );
    await publishJourney(db, ws, probe.id, null);
    received.clear();
    const jobs = new JobQueue(db, { pollIntervalMs: 100 });
    registerMessagingJobs(jobs, db, {
      secret: 'bench-secret-0123456789-abcdefghijklmnop',
      publicUrl: 'http://localhost:8080',
    });
    const processor = new IngestProcessor(db, { batchSize: 1000, pollMs: 100 });
    const runner = new JourneyRunner(db, { pollMs: 100 });
    jobs.start();
    processor.start();
    runner.start();
    const sentAt = new Map();
    log(`${PROBES} trigger events at ${PROBE_RATE}/s…`);
    for (let i = 0; i < PROBES; i++) {
      const to = `c${i}@bench.example`;
      sentAt.set(to, performance.now());
      await ingest(
        db,
        source,
        {
          batch: [
            {
              type: 'track',
              messageId: `probe-${i}`,
              userId: `u${i}`,
              event: 'Probe',
              timestamp: new Date().toISOString(),
            },
          ],
        },
        'batch',
      );
      await new Promise((r) => setTimeout(r, 1000 / PROBE_RATE));
    }
    const deadline = performance.now() + 120_000;
    while (received.size < PROBES && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await runner.stop();
    await processor.stop();
    await jobs.stop();
    const delays = [...sentAt].flatMap(([to, t]) => (received.has(to) ? [received.get(to) - t] : []));
    const lat = stats(delays);

    const stepsPerSecond = steps / engineSeconds;
    const jobsPerSecond = ran / queueSeconds;
    const body = [
      `- Throughput: ${int(CUSTOMERS)} customers enter a 5-step journey at once (condition → update profile → email → split → task | exit); the engine, one process, batches of 500, on PostgreSQL.`,
      `- Latency: ${int(PROBES)} trigger events at ${PROBE_RATE}/s through \`ingest()\` with processing, the journey runner and the send jobs running as in \`kith start\`; from the event stored to the email received by an SMTP server in the same process.`,
      '',
      '| measure | Kith | reference (job queue, same run) | ratio | target |',
      '| --- | --- | --- | --- | --- |',
      `| steps executed per second | ${int(stepsPerSecond)} (${int(steps)} steps in ${engineSeconds.toFixed(1)} s; ${int(enrolled)} entered, ${int(done.rows[0].n)} finished, ${int(queued.rows[0].n)} emails queued) | ${int(jobsPerSecond)} no-op jobs/s (${int(ran)} in ${queueSeconds.toFixed(1)} s, 8 slots) | ${(stepsPerSecond / jobsPerSecond).toFixed(1)}× | ≥ 2,000 steps/s |`,
      `| trigger event → email at the SMTP server | p50 ${ms(lat.p50)} ms, p95 ${ms(lat.p95)} ms (${delays.length} of ${PROBES} received) | — | — | p95 < 2,000 ms |`,
    ].join('\n');
    return { title: 'Journeys: steps per second and trigger-to-send delay (PostgreSQL)', body };
  } finally {
    await new Promise((r) => smtp.close(() => r()));
    await database.close();
    await admin(`drop database if exists ${name} with (force)`);
  }
}
