#!/usr/bin/env node
// Development: the server from source with restart on change (port 8080) and the Vite dev
// server with hot reload (port 5173, proxying /api to the server). Ctrl-C stops both.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const children = [
  spawn(
    process.execPath,
    ['--import', 'tsx', '--watch', '--watch-preserve-output', 'apps/server/src/cli.ts', 'start'],
    {
      cwd: root,
      stdio: 'inherit',
      env: { KITH_LOG_LEVEL: 'info', ...process.env },
    },
  ),
  spawn(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'apps/web', '--port', '5173'], {
    cwd: root,
    stdio: 'inherit',
  }),
];
process.stderr.write('kith dev: API on http://localhost:8080, app with hot reload on http://localhost:5173\n');
const stop = () => {
  for (const c of children) c.kill('SIGINT');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
for (const c of children) c.on('exit', (code) => code && code !== 130 && stop());
