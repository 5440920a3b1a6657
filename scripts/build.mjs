#!/usr/bin/env node
// Builds what is out of date: the web app (Vite), the server (tsc) and the PGlite template
// that lets a new embedded database start without initdb. `--force` rebuilds everything.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const force = process.argv.includes('--force');
const require = createRequire(import.meta.url);

function newest(paths) {
  let t = 0;
  const walk = (p) => {
    if (!fs.existsSync(p)) return;
    const st = fs.statSync(p);
    if (st.isDirectory()) {
      for (const e of fs.readdirSync(p)) if (e !== 'node_modules' && e !== 'dist') walk(path.join(p, e));
    } else t = Math.max(t, st.mtimeMs);
  };
  for (const p of paths) walk(path.join(root, p));
  return t;
}
const mtime = (p) => (fs.existsSync(path.join(root, p)) ? fs.statSync(path.join(root, p)).mtimeMs : 0);
function run(cmd, args, label) {
  const t0 = Date.now();
  process.stderr.write(`build: ${label}…\n`);
  execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });
  process.stderr.write(`build: ${label} done in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}

/** The folder of an installed package (many do not export their package.json). */
function packageDir(name) {
  let dir = path.dirname(fileURLToPath(import.meta.resolve(name)));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === name) return dir;
    if (path.dirname(dir) === dir) throw new Error(`cannot find the folder of ${name}`);
    dir = path.dirname(dir);
  }
}

// 1. Web app
if (fs.existsSync(path.join(root, 'apps/web/package.json'))) {
  const src = newest([
    'apps/web/src',
    'apps/web/index.html',
    'apps/web/vite.config.ts',
    'apps/web/package.json',
    'apps/web/public',
  ]);
  if (force || mtime('apps/web/dist/index.html') < src) {
    const vite = path.join(packageDir('vite'), 'bin/vite.js');
    run(process.execPath, [vite, 'build', 'apps/web', '--logLevel', 'warn'], 'web app (vite)');
  }
}

// 2. Server
const serverOut = 'apps/server/dist/src/cli.js';
const serverSrc = newest([
  'apps/server/src',
  'apps/server/migrations',
  'apps/server/tsconfig.json',
  'apps/server/tsconfig.build.json',
  'tsconfig.base.json',
]);
if (force || mtime(serverOut) < serverSrc) {
  fs.rmSync(path.join(root, 'apps/server/dist/src'), { recursive: true, force: true });
  fs.rmSync(path.join(root, 'apps/server/dist/migrations'), { recursive: true, force: true });
  run(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', 'apps/server/tsconfig.build.json'],
    'server (tsc)',
  );
}

// 3. PGlite template for this PGlite version, with the migrations applied (remade with the server)
const pgliteDir = packageDir('@electric-sql/pglite');
const pgliteVersion = JSON.parse(fs.readFileSync(path.join(pgliteDir, 'package.json'), 'utf8')).version;
const template = `apps/server/dist/pglite-${pgliteVersion}`;
// The template is remade whenever the migrations change (a failed attempt leaves no stamp).
const hash = crypto.createHash('sha256');
for (const f of fs.readdirSync(path.join(root, 'apps/server/migrations')).sort()) {
  hash.update(f).update(fs.readFileSync(path.join(root, 'apps/server/migrations', f)));
}
const stampFile = path.join(root, 'apps/server/dist/.template-migrations');
const stamp = hash.digest('hex');
const stale = !fs.existsSync(stampFile) || fs.readFileSync(stampFile, 'utf8') !== stamp;
if (force || stale || !fs.existsSync(path.join(root, template))) {
  fs.rmSync(stampFile, { force: true });
  const db = path.join(root, 'apps/server/dist/src/platform/db.js');
  const migrations = path.join(root, 'apps/server/dist/src/platform/migrations.js');
  run(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const m = await import(${JSON.stringify(db)}); const g = await import(${JSON.stringify(migrations)}); ` +
        `await m.writePgliteTemplate(${JSON.stringify(path.join(root, template))}, g.migrateToLatest);`,
    ],
    'embedded database template',
  );
  fs.writeFileSync(stampFile, stamp);
}
