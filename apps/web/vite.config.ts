import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The dev server proxies the API so the app and API share one origin, as in production.
export default defineConfig({
  plugins: [react()],
  server: { port: 5173, proxy: { '/api': 'http://localhost:8080', '/healthz': 'http://localhost:8080' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rolldownOptions: {
      treeshake: {
        // @seatwise/protocol holds only schemas and constants, so it is declared free of side effects:
        // the bundle then keeps just the modules the app takes values from (permissions.ts, limits.ts)
        // and drops those that define zod schemas, as long as the app imports only types from them.
        // That keeps zod out of the bundle, and with it zod's start-up probe of `new Function`, which the
        // server's CSP (no 'unsafe-eval') reports as a violation (the browser tests fail on it). Parsing
        // with those schemas in the browser would need zod's `jitless` setting first.
        moduleSideEffects: (id: string) => (/[\\/]packages[\\/]protocol[\\/]/.test(id) ? false : undefined),
      },
    },
  },
});
