import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url))

function swarm(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', main, 'swarm', ...args],
      {
        env: { ...process.env, OPENAI_API_KEY: '', OPENAI_BASE_URL: '' },
      },
    )
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c) => {
      stdout += c
    })
    child.stderr.on('data', (c) => {
      stderr += c
    })
    child.on('exit', (status) => resolve({ status, stdout, stderr }))
  })
}

type Book = {
  name: string
  spent: string
  earned: string
  balanceBefore: string
  balanceAfter: string
}

function checkBooks(result: {
  balanced: boolean
  calls: number
  receiptsVerified: number
  books: Book[]
  channels: { status: string; paid: string; refunded: string; deposit: string }[]
}) {
  expect(result.balanced).toBe(true)
  expect(result.calls).toBeGreaterThanOrEqual(5)
  expect(result.receiptsVerified).toBe(result.calls)
  const spent = result.books.reduce((s, b) => s + BigInt(b.spent), 0n)
  const earned = result.books.reduce((s, b) => s + BigInt(b.earned), 0n)
  expect(earned).toBe(spent)
  // Every agent's balance moved by exactly its ledger, read back from the chain.
  for (const b of result.books)
    expect(BigInt(b.balanceAfter) - BigInt(b.balanceBefore)).toBe(
      BigInt(b.earned) - BigInt(b.spent),
    )
  for (const c of result.channels) {
    expect(c.status).toBe('closed')
    expect(BigInt(c.paid) + BigInt(c.refunded)).toBe(BigInt(c.deposit))
  }
}

describe('gotong swarm', () => {
  test('the main job: providers, an orchestrator, paid calls, books balanced to the unit', async () => {
    const run = await swarm(['--json'])
    expect(run.status, run.stderr).toBe(0)
    const result = JSON.parse(run.stdout)
    checkBooks(result)
    expect(result.modelSource).toBe('none')
    expect(result.report).toContain('## Tools bought')
  }, 120_000)

  test('--processes: every provider in its own process, same books', async () => {
    const run = await swarm(['--processes', '--json'])
    expect(run.status, run.stderr).toBe(0)
    checkBooks(JSON.parse(run.stdout))
  }, 180_000)

  test('text mode says it plans without an LLM and prints the books', async () => {
    const run = await swarm([])
    expect(run.status, run.stderr).toBe(0)
    expect(run.stderr).toContain('planning with the deterministic planner')
    expect(run.stdout).toContain('The books balance to the unit')
    expect(run.stdout).toMatch(/\| orchestrator \| 0x[0-9a-fA-F]{40} \| \d+ \| 0 \|/)
  }, 120_000)
})
