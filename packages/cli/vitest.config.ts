import { defineConfig, mergeConfig } from 'vitest/config'
import shared from '../../vitest.shared.js'

export default mergeConfig(
  shared,
  defineConfig({
    test: {
      server: {
        // eventsource and eventsource-parser (under the MCP client) publish a `source` export
        // condition too, to TypeScript files Node cannot load: Vite transforms them instead.
        deps: { inline: ['@modelcontextprotocol/client', 'eventsource', 'eventsource-parser'] },
      },
    },
  }),
)
