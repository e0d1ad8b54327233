import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The web workbench, served by the API server at /console (api/src/modules/console/console.routes.ts).
 * `@shared/…` names single pure files of shared/src (labels, formatters, DTO types), never its index (zod, pinyin).
 * `npm run dev -w web` proxies /api to a running server (npm start) on :3000.
 */
export default defineConfig({
  base: '/console/',
  plugins: [react()],
  resolve: { alias: { '@shared': path.resolve(here, '../shared/src') } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    // no inline scripts: the page's CSP allows only our own files
    modulePreload: { polyfill: false },
    rollupOptions: {
      output: {
        manualChunks: {
          react: ['react', 'react-dom', 'react-router-dom', '@tanstack/react-query'],
          antd: ['antd', '@ant-design/icons', 'dayjs'],
          echarts: ['echarts'],
        },
      },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
