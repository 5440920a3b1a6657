import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The API listens on 8080 in development (`npm run dev` at the root); the app calls it on the same origin.
const api = process.env.KITH_API_URL ?? 'http://localhost:8080';

export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    proxy: {
      '/api': { target: api, changeOrigin: false },
      '/healthz': { target: api, changeOrigin: false },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1024,
  },
});
