import { defineConfig, mergeConfig } from 'vitest/config'
import shared from '../../vitest.shared.js'

export default mergeConfig(
  shared,
  defineConfig({
    test: {
      globalSetup: ['./test/globalSetup.ts'],
      // Each file starts Ponder (about ten seconds) next to a devnet.
      hookTimeout: 180_000,
      testTimeout: 120_000,
    },
  }),
)
