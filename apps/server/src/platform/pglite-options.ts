// Small WASM heap and shared buffers keep an idle embedded server near 240 MB.
export const PGLITE_CONF = ['shared_buffers=16MB', 'work_mem=8MB', 'maintenance_work_mem=32MB'];
export const PGLITE_MEMORY = 128 * 1024 * 1024;
