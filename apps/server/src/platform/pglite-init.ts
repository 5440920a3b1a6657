/**
 * Child process: unpacks the PGlite template into a new data folder and exits. Done apart from
 * the server so the memory the unpacking touches (~110 MB) is returned to the system at once.
 * Usage: pglite-init <dataDir> <template.tar.gz>
 */
import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLITE_CONF, PGLITE_MEMORY } from './pglite-options.js';

const [dir, template] = process.argv.slice(2) as [string, string];
const pglite = new PGlite(dir, {
  initialMemory: PGLITE_MEMORY,
  postgresqlconf: PGLITE_CONF,
  loadDataDir: new Blob([fs.readFileSync(template)]),
});
await pglite.waitReady;
await pglite.close();
