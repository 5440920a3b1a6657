import { defineConfig } from 'vitest/config';

const shared = {
  include: ['apps/server/**/*.test.ts', 'bench/**/*.test.ts'],
  globalSetup: ['apps/server/src/testing/global-setup.ts'],
  testTimeout: 30_000,
  hookTimeout: 60_000,
};

// The whole suite runs on embedded PGlite, and again on PostgreSQL when KITH_TEST_DATABASE_URL is set.
const projects: object[] = [{ test: { ...shared, name: 'pglite', env: { KITH_TEST_DB: 'pglite' } } }];
if (process.env.KITH_TEST_DATABASE_URL) {
  projects.push({ test: { ...shared, name: 'postgres', env: { KITH_TEST_DB: 'postgres' } } });
}
// The web app's unit tests (translations, permissions, formatting): plain Node, no database.
projects.push({ test: { name: 'web', include: ['apps/web/**/*.test.ts'], environment: 'node' } });

export default defineConfig({
  test: {
    projects,
    pool: 'forks',
    reporters: ['default'],
  },
});
