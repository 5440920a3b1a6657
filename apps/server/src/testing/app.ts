import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll } from 'vitest';
import { buildApp } from '../app.js';
import { loadConfig } from '../platform/config.js';
import type { AppContext, Role } from '../platform/context.js';
import { JobQueue } from '../platform/jobs.js';
import { createTestDatabase } from './db.js';

export interface Auth {
  cookie?: string;
  csrf?: string;
  bearer?: string;
  ip?: string;
}

export interface TestApp {
  app: FastifyInstance;
  ctx: AppContext;
  /** Sends a request as `auth` (a session cookie + CSRF token, or an API key). */
  req(
    method: InjectOptions['method'],
    url: string,
    opts?: { auth?: Auth; body?: unknown; headers?: Record<string, string> },
  ): Promise<LightMyRequestResponse>;
}

/** An app on a fresh test database, driven with `inject` (no port). */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kith-test-'));
  const config = loadConfig({ KITH_DATA_DIR: dataDir, KITH_LOG_LEVEL: 'silent', ...env });
  const ctx: AppContext = {
    config,
    database,
    db: database.db,
    secret: 'test-secret-0123456789-abcdefghijklmnop',
    jobs: new JobQueue(database.db),
  };
  const app = await buildApp(ctx);
  await app.ready();
  afterAll(async () => {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  return {
    app,
    ctx,
    req: (method, url, opts = {}) => {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      const a = opts.auth;
      if (a?.cookie) headers.cookie = a.cookie;
      if (a?.csrf) headers['x-csrf-token'] = a.csrf;
      if (a?.bearer) headers.authorization = `Bearer ${a.bearer}`;
      return app.inject({
        method,
        url,
        headers,
        remoteAddress: a?.ip ?? '127.0.0.1',
        ...(opts.body !== undefined ? { payload: opts.body as InjectOptions['payload'] } : {}),
      });
    },
  };
}

/** The `name=value` of the session cookie a response set. */
export function sessionCookieOf(res: LightMyRequestResponse): string {
  const c = res.cookies.find((x) => x.name === 'kith_session');
  if (!c) throw new Error(`no session cookie in response ${res.statusCode}: ${res.body}`);
  return `${c.name}=${c.value}`;
}

export function authOf(res: LightMyRequestResponse): Auth {
  return { cookie: sessionCookieOf(res), csrf: res.json().csrfToken };
}

let counter = 0;
/** First-run setup: a workspace and its owner, signed in. */
export async function setupOwner(t: TestApp, workspaceName = 'Bakery') {
  const email = `owner${++counter}@example.com`;
  const password = 'correct horse battery';
  const res = await t.req('POST', '/api/v1/setup', { body: { workspaceName, email, password, name: 'Olga Owner' } });
  if (res.statusCode !== 201) throw new Error(`setup failed: ${res.statusCode} ${res.body}`);
  const body = res.json();
  return {
    auth: authOf(res),
    email,
    password,
    workspaceId: body.workspace.id as string,
    userId: body.user.id as string,
  };
}

/** Another workspace with its own owner (signed in), made through the API. */
export async function createOtherWorkspace(t: TestApp, owner: Auth, name = 'Gym') {
  const res = await t.req('POST', '/api/v1/workspaces', { auth: owner, body: { name } });
  if (res.statusCode !== 201) throw new Error(`workspace failed: ${res.statusCode} ${res.body}`);
  return res.json().id as string;
}

/** Invites a person with `role` and accepts as them; returns their signed-in auth. */
export async function addMember(t: TestApp, admin: Auth, role: Role) {
  const email = `${role}${++counter}@example.com`;
  const password = 'another long password';
  const inv = await t.req('POST', '/api/v1/invitations', { auth: admin, body: { email, role } });
  if (inv.statusCode !== 201) throw new Error(`invite failed: ${inv.statusCode} ${inv.body}`);
  const token = (inv.json().link as string).split('/invite/')[1];
  const acc = await t.req('POST', '/api/v1/invitations/accept', { body: { token, password, name: role } });
  if (acc.statusCode !== 200) throw new Error(`accept failed: ${acc.statusCode} ${acc.body}`);
  return { auth: authOf(acc), email, password, userId: acc.json().user.id as string };
}

export async function createKey(t: TestApp, admin: Auth, scopes: string[], name = 'script') {
  const res = await t.req('POST', '/api/v1/api-keys', { auth: admin, body: { name, scopes } });
  if (res.statusCode !== 201) throw new Error(`key failed: ${res.statusCode} ${res.body}`);
  return { key: res.json().key as string, id: res.json().apiKey.id as string };
}
