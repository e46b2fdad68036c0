// Vite build and Vitest configuration. The build bundles the DSFR CSS, fonts
// and icons into dist/ (no CDN). `npm run dev` proxies the server's routes to
// AMPHI_DEV_TARGET (default http://127.0.0.1:8080).
import { defineConfig } from 'vitest/config';

const target = process.env.AMPHI_DEV_TARGET ?? 'http://127.0.0.1:8080';

export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Fonts and icons stay separate files, cached by the browser.
    assetsInlineLimit: 0,
  },
  server: {
    proxy: {
      '/ws': { target, ws: true },
      '/api': target,
      '/healthz': target,
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    environment: 'node',
  },
});
