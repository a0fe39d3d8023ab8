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
    server: {
      // Some dependencies publish a `source` condition too, to TypeScript files Node cannot load
      // (eventsource and eventsource-parser, under the MCP client): Vite transforms them instead.
      deps: { inline: ['@modelcontextprotocol/client', 'eventsource', 'eventsource-parser'] },
    },
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
