import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** apps/server, whether running from src (tests, tsx) or dist (built). */
function findServerRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === '@kith/server') return dir;
    dir = path.dirname(dir);
  }
  throw new Error('Cannot find the @kith/server package folder');
}

export const serverRoot = findServerRoot();
export const webDist = process.env.KITH_WEB_DIST ?? path.resolve(serverRoot, '../web/dist');

/** The installed version of a package that does not export its package.json. */
export function packageVersion(name: string): string {
  let dir = path.dirname(createRequire(import.meta.url).resolve(name));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      const json = JSON.parse(fs.readFileSync(pkg, 'utf8')) as { name?: string; version: string };
      if (json.name === name) return json.version;
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`Cannot find the version of ${name}`);
    dir = up;
  }
}

const pgliteVersion = packageVersion('@electric-sql/pglite');
/** A new, migrated PGlite data folder made at build time for this PGlite version: copied on first start. */
export const pgliteTemplate = path.join(serverRoot, 'dist', `pglite-${pgliteVersion}`);
