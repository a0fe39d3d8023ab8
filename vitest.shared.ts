import { defaultServerConditions } from 'vite'
import { defineConfig } from 'vitest/config'

/**
 * Shared test config: workspace packages resolve to their TypeScript sources through the
 * `source` export condition, so tests never wait on (or run against stale) builds.
 */
export default defineConfig({
  resolve: { conditions: ['source', ...defaultServerConditions] },
  ssr: { resolve: { conditions: ['source', ...defaultServerConditions] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
