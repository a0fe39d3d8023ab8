import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { sampleDataset } from '../src/swarm/runSwarm.js'
import { checkBooks } from './swarmBooks.js'

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

describe('gotong swarm', () => {
  test('the main job: providers, an orchestrator, paid calls, books balanced to the unit', async () => {
    const run = await swarm(['--json'])
    expect(run.status, run.stderr).toBe(0)
    const result = JSON.parse(run.stdout)
    checkBooks(result)
    expect(result.modelSource).toBe('none')
    expect(result.report).toContain('## Tools bought')
    expect(result.job).toEqual({ ok: true, problems: [] })
    // The bundled reviews repeat their texts across rows: the summary says each one once.
    const summary = /\*\*Summary\*\* \(extractive\): (.*)\n/.exec(result.report)?.[1]
    const reviews = new Set(
      readFileSync(sampleDataset(), 'utf8')
        .split('\n')
        .slice(1)
        .map((line) => line.split(',').slice(4).join(',').replaceAll('"', ''))
        .filter(Boolean),
    )
    expect(summary).toBeDefined()
    for (const review of reviews) expect(summary!.split(review).length).toBeLessThanOrEqual(2)
    expect([...reviews].filter((review) => summary!.includes(review))).toHaveLength(3)
  }, 120_000)

  test('a job whose every paid call fails (a budget of 0) exits 1 and says which calls failed, with their codes', async () => {
    const run = await swarm(['--budget', '0'])
    expect(run.status, run.stderr).toBe(1)
    expect(run.stdout).toContain('0 paid calls, 0 receipts verified')
    // Channels funded for the refused calls were closed and refunded: the books still balance.
    expect(run.stdout).toContain('The books balance to the unit')
    expect(run.stdout).toMatch(
      /The job was NOT done:\n- statistics: eip155:\d+\/erc8257:0x[0-9a-f]{40}\/\d+: Spending \d+ would cross the limit of budget swarm\. \(BUDGET_EXCEEDED\)\n- dedupe: .* \(BUDGET_EXCEEDED\)\n/,
    )
    expect(run.stdout).toContain('## Not done')
  }, 120_000)

  test('--processes: every provider in its own process, same books', async () => {
    const run = await swarm(['--processes', '--json'])
    expect(run.status, run.stderr).toBe(0)
    checkBooks(JSON.parse(run.stdout))
  }, 180_000)

  test('--dishonest: a provider whose deterministic tool lies is caught by a spot check and slashed during the job', async () => {
    const run = await swarm(['--dishonest', '--json'])
    expect(run.status, run.stderr).toBe(0)
    const result = JSON.parse(run.stdout)
    checkBooks(result)
    expect(result.job).toEqual({ ok: true, problems: [] })
    const liar = result.books.find((b: { name: string }) => b.name === 'dishonest-provider')
    const orchestrator = result.books.find((b: { name: string }) => b.name === 'orchestrator')
    // It undercut the honest stats provider, so the job bought its statistics.
    expect(liar.callsServed).toBeGreaterThanOrEqual(1)
    const liarId = result.reputation.find((r: { name: string }) => r.name === 'dishonest-provider')
    // Asked again under the same agreement, it answered otherwise: its whole stake is taken,
    // half of it paid to the orchestrator, whose balance on chain shows it (checkBooks).
    expect(result.trust.checks).toEqual([
      expect.objectContaining({
        provider: liar.address,
        verdict: 'equivocated',
        calls: 1,
        validations: [{ agentId: liarId.agentId, response: 0 }],
      }),
    ])
    expect(result.trust.slashes).toEqual([
      expect.objectContaining({
        provider: liar.address,
        slashed: '20000000',
        reward: '10000000',
      }),
    ])
    expect(orchestrator.rewarded).toBe('10000000')
    // Its paid reputation: the spot check's 0.
    expect(liarId).toMatchObject({ feedbacks: '1', average: '0' })
  }, 120_000)

  test('text mode says it plans without an LLM and prints the books', async () => {
    const run = await swarm([])
    expect(run.status, run.stderr).toBe(0)
    expect(run.stderr).toContain('planning with the deterministic planner')
    expect(run.stdout).toContain('The books balance to the unit')
    expect(run.stdout).toMatch(/\| orchestrator \| 0x[0-9a-fA-F]{40} \| \d+ \| 0 \|/)
    // Each provider's paid reputation after the job, its agent id first.
    expect(run.stdout).toContain('## Reputation (ERC-8004, paid calls only')
    expect(run.stdout).toMatch(/\| stats-provider \| 1 \| [1-9]\d* \| 100 \| 0\.\d+ \|/)
  }, 120_000)
})
