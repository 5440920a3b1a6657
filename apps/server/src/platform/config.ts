import path from 'node:path';
import { z } from 'zod';

const schema = z.object({
  KITH_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  KITH_HOST: z.string().min(1).default('127.0.0.1'),
  KITH_DATA_DIR: z.string().min(1).default('.kith'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  KITH_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  KITH_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  KITH_PUBLIC_URL: z.string().url().optional(),
  KITH_WORKERS: z.coerce.number().int().min(0).max(64).default(2),
  KITH_SECURE_COOKIES: z.enum(['auto', 'true', 'false']).default('auto'),
  KITH_INGEST_RATE_LIMIT: z.coerce.number().int().min(1).default(1000),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  secret: string | undefined;
  logLevel: string;
  publicUrl: string;
  /** In-process job workers (0 disables them: run `kith worker` processes instead). */
  workers: number;
  secureCookies: boolean;
  /** Tracking API requests per second per source, per process. */
  ingestRateLimit: number;
}

/** Reads the environment once; fails fast naming the variable that is wrong. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Configuration error: ${String(issue?.path[0])} ${issue?.message}`);
  }
  const c = parsed.data;
  const publicUrl = c.KITH_PUBLIC_URL ?? `http://localhost:${c.KITH_PORT}`;
  return {
    port: c.KITH_PORT,
    host: c.KITH_HOST,
    dataDir: path.resolve(c.KITH_DATA_DIR),
    databaseUrl: c.DATABASE_URL,
    secret: c.KITH_SECRET,
    logLevel: c.KITH_LOG_LEVEL,
    publicUrl: publicUrl.replace(/\/$/, ''),
    workers: c.KITH_WORKERS,
    secureCookies: c.KITH_SECURE_COOKIES === 'auto' ? publicUrl.startsWith('https:') : c.KITH_SECURE_COOKIES === 'true',
    ingestRateLimit: c.KITH_INGEST_RATE_LIMIT,
  };
}
