/**
 * Vite (build, dev server) and Vitest configuration of the web client.
 * `root` is this folder; the build goes to `web/dist`, which the chat server serves at `/`.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
const api = process.env.CHAT_API_URL ?? 'http://localhost:8080';

export default defineConfig({
  root,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 700,
    rollupOptions: {
      onwarn(warning, warn) {
        // zod's comments confuse Rollup's annotation parser; harmless.
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('node_modules')) return;
        warn(warning);
      },
    },
  },
  server: {
    proxy: {
      '/api': { target: api, ws: true, changeOrigin: true },
    },
  },
  test: {
    root,
    include: ['src/**/*.test.{ts,tsx}'],
    // Pure modules run in node; component tests opt into jsdom with a `@vitest-environment jsdom` docblock.
    environment: 'node',
    setupFiles: ['src/test-setup.ts'],
    restoreMocks: true,
  },
});
