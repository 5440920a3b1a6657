import type { Migration } from 'kysely';
import * as m0001 from './0001_platform.js';
import * as m0002 from './0002_access.js';

/** Every migration, in order: one history for PGlite and PostgreSQL. */
export const migrations: Record<string, Migration> = {
  '0001_platform': m0001,
  '0002_access': m0002,
};
