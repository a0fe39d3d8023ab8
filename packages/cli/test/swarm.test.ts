import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url))

describe('gotong swarm', () => {
  test('starts the devnet, deploys, reads balances back and exits 0', () => {
    const run = spawnSync(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', main, 'swarm', '--json'],
      { encoding: 'utf8', timeout: 60_000 },
    )
    expect(run.status).toBe(0)
    const info = JSON.parse(run.stdout)
    expect(info.chainId).toBe(31337)
    expect(info.accounts).toHaveLength(10)
    for (const account of info.accounts) expect(account.gUSD).toBe('10000')
  })
})
