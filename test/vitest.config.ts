import { defineConfig, mergeConfig } from 'vitest/config'
import shared from '../vitest.shared.js'

// Each file starts its own devnet and agents; child processes are spawned by some. Generous
// timeouts: the suite must pass on two busy cores.
export default mergeConfig(
  shared,
  defineConfig({
    test: {
      include: ['reliability/**/*.test.ts'],
      testTimeout: 120_000,
      hookTimeout: 60_000,
    },
  }),
)
