#!/usr/bin/env node
// The `kith` command: runs the built server (npm run build, or npm start, builds it).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/cli.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('kith: not built yet. Run `npm run build` (or `npm start`) in the repository first.\n');
  process.exit(1);
}
await import(entry.href);
