import type { Config } from './config.js';
import type { Database, Db } from './db.js';
import type { JobQueue } from './jobs.js';

/** Who is making a request: a signed-in person in a workspace, or an API key of one. */
export type Actor =
  | {
      type: 'user';
      userId: string;
      email: string;
      sessionId: string;
      workspaceId: string | null;
      role: Role | null;
    }
  | { type: 'api_key'; keyId: string; name: string; workspaceId: string; scopes: string[] };

export const ROLES = ['owner', 'admin', 'marketer', 'agent', 'analyst'] as const;
export type Role = (typeof ROLES)[number];

/** How a route is reached: by anyone, by any signed-in person, or with a permission in a workspace. */
export interface RouteAccess {
  /** No sign-in needed (setup, login, invitation acceptance, health). */
  public?: boolean;
  /** A signed-in person, with or without a current workspace. */
  session?: boolean;
  /** The permission needed in the current workspace (see docs/access.md). */
  permission?: string;
  /** Audit action name; defaults to "<METHOD> <route>". `false` for writes that are not user changes. */
  audit?: string | false;
}

/** What every domain receives: configuration, the database and the job queue. */
export interface AppContext {
  config: Config;
  database: Database;
  db: Db;
  secret: string;
  jobs: JobQueue;
}

declare module 'fastify' {
  interface FastifyContextConfig extends RouteAccess {}
  interface FastifyRequest {
    actor?: Actor;
    /** Set once a route's permission has been checked in a workspace. */
    workspaceId?: string;
  }
}
