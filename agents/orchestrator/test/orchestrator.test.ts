import { execFile, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { type Agent, createAgent, type Network } from '@gotong/agent'
import { start as startBudgetTextProvider } from '@gotong/agent-budget-text-provider'
import { start as startPremiumProvider } from '@gotong/agent-premium-provider'
import type { RunningAgent } from '@gotong/agent-runner'
import { start as startStatsProvider } from '@gotong/agent-stats-provider'
import { start as startTextProvider } from '@gotong/agent-text-provider'
import { type Devnet, startDevnet } from '@gotong/chain/node'
import { AIMessage } from '@langchain/core/messages'
import { fakeModel } from '@langchain/core/testing'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { DatasetReport, type JobResult, runJob, start } from '../src/index.js'

let devnet: Devnet
let dir: string
const running: RunningAgent[] = []
const agents: Agent[] = []
let stats: RunningAgent
let text: RunningAgent
let budget: RunningAgent
let premium: RunningAgent
let orchestrator: RunningAgent

beforeAll(async () => {
  devnet = await startDevnet({ accounts: 9 })
  dir = mkdtempSync(join(tmpdir(), 'gotong-orchestrator-'))
  const at = (i: number) => ({
    network: devnet as Network,
    account: devnet.accounts[i]!.privateKey,
    store: join(dir, `agent-${i}`),
  })
  stats = await startStatsProvider(at(1))
  text = await startTextProvider(at(2))
  budget = await startBudgetTextProvider(at(3))
  premium = await startPremiumProvider(at(4))
  orchestrator = await start(at(5))
  running.push(stats, text, budget, premium, orchestrator)
})
afterAll(async () => {
  for (const agent of agents) await agent.stop()
  for (const agent of running) await agent.stop()
  await devnet?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

const reviews = [
  'id,product,rating,review,date',
  '1,Phone X,5,"The battery life is excellent and the screen is gorgeous.",2024-03-01',
  '2,Phone X,2,"Terrible customer support; I waited two weeks for a reply.",2024-03-02',
  '3,Tablet Y,4,"Great screen, decent battery life, fast shipping.",2024-03-02',
  '2,Phone X,2,"Terrible customer support; I waited two weeks for a reply.",2024-03-02',
  '4,Tablet Y,3,"Battery life could be better but the screen is bright.",2024-03-03',
  '5,Phone X,,"Shipping was slow and the box arrived damaged.",2024-03-04',
  '6,Laptop Z,5,"Fantastic keyboard and excellent battery life, I love it.",2024-03-05',
].join('\n')

/** Every call of a job has a served voucher on the payer's side and a committed one on the payee's. */
function expectLedgersAgree(job: JobResult, payer: Agent) {
  const paid = payer.ledger().paid
  for (const call of job.calls) {
    const voucher = paid.find((v) => v.requestHash === call.requestHash)
    expect(voucher, `paid voucher of ${call.step}`).toMatchObject({
      status: 'served',
      amount: call.price,
      channelId: call.channelId,
    })
    const provider = running.find((r) => r.agent.address === call.provider)!
    expect(
      provider.agent.ledger().earned.find((v) => v.requestHash === call.requestHash),
      `earned voucher of ${call.step}`,
    ).toMatchObject({ status: 'committed', channelId: call.channelId })
  }
}

describe('orchestrator', () => {
  test('buys stats, dedupe, keywords, sentiment and summarize; picks the cheapest offer within the SLA; reports', async () => {
    const log: string[] = []
    const job = await runJob({
      agent: orchestrator.agent,
      goal: 'profile this dataset and write a short report',
      dataset: reviews,
      log: (line) => log.push(line),
    })
    expect(job.mode).toBe('planner')
    expect(job.failures).toEqual([])
    expect(job.skipped).toEqual([])
    expect(job.calls.map((c) => [c.step, c.tool, c.provider, c.price])).toEqual([
      ['statistics', 'dataset-stats', stats.agent.address, 2_000n],
      ['dedupe', 'dedupe', stats.agent.address, 1_000n],
      // The budget provider is cheaper, but its manifest promises p95 5 s, over the 2 s wanted.
      ['keywords', 'keywords', text.agent.address, 2_000n],
      ['sentiment', 'sentiment', text.agent.address, 2_000n],
      ['summarize', 'summarize', text.agent.address, 3_000n],
    ])
    expect(job.total).toBe(10_000n)
    expectLedgersAgree(job, orchestrator.agent)
    // Premium (gated, no pass) was never a candidate; the budget offers were passed over.
    expect(premium.agent.ledger().earned).toEqual([])
    expect(budget.agent.ledger().earned).toEqual([])

    expect(job.outputs.dedupe).toMatchObject({ total: 7, unique: 6, duplicates: 1 })
    expect(job.outputs.sentiment?.summary.count).toBe(6) // unique reviews only
    const { report } = job
    expect(report).toMatch(
      /^# Dataset report\n\nGoal: profile this dataset and write a short report\n/,
    )
    expect(report).toContain(
      '- 7 rows, 5 columns.\n- Missing values in rating (1).\n- 1 duplicate row; 6 unique.',
    )
    expect(report).toContain('- rows 2, 4 match')
    expect(report).toContain('## Text (review)')
    expect(report).toMatch(/\*\*Keywords:\*\* .*battery life/)
    expect(report).toContain('**Summary** (extractive): ')
    expect(report).toMatch(
      /\| keywords \| keywords #\d+ \| 0x3C44…93BC \| 0\.002 \| 0x90F7…b906 at 0\.001: p95 5000 ms > 2000 ms \|/,
    )
    expect(report).toContain('Total: 0.01 gUSD over 5 paid calls.')
    expect(log[0]).toBe('plan: statistics, dedupe, keywords, sentiment, summarize')
  })

  test('rows that share their text are summarized once: the report repeats no sentence', async () => {
    const texts = [
      'Broke after two weeks, disappointing and a waste of money',
      'Excellent quality for the price, I would happily buy it again',
      'Fantastic customer service and a wonderful product overall',
    ]
    // Six different rows (dedupe keeps them all), three texts; the second one four times.
    const dataset = [
      'id,product,review',
      ...[0, 1, 1, 2, 1, 0].map((t, i) => `${i + 1},product ${i},"${texts[t]}"`),
    ].join('\n')
    const job = await runJob({ agent: orchestrator.agent, goal: 'summarize', dataset })
    expect(job.ok).toBe(true)
    expect(job.outputs.summarize).toMatchObject({ sentenceCount: 3, sentences: [0, 1, 2] })
    const summary = /\*\*Summary\*\* \(extractive\): (.*)\n/.exec(job.report)?.[1] ?? ''
    for (const text of texts) expect(summary.split(text)).toHaveLength(2)
  })

  test('with a looser SLA the budget provider wins the text steps', async () => {
    const job = await runJob({
      agent: orchestrator.agent,
      goal: 'what is the tone of these reviews?',
      dataset: reviews,
      policy: { maxP95LatencyMs: 10_000 },
    })
    expect(job.calls.map((c) => [c.step, c.provider, c.price])).toEqual([
      ['statistics', stats.agent.address, 2_000n],
      ['sentiment', budget.agent.address, 1_000n],
    ])
    expectLedgersAgree(job, orchestrator.agent)
  })

  test('a dataset that is not CSV is refused before anything is bought', async () => {
    const before = orchestrator.agent.ledger().paid.length
    const error = await runJob({
      agent: orchestrator.agent,
      goal: 'profile',
      dataset: 'a,b\n1,2,3\n',
    }).catch((e) => e)
    expect(error.code).toBe('CSV_INVALID')
    expect(orchestrator.agent.ledger().paid).toHaveLength(before)
  })

  test('another agent buys the report as a tool; the orchestrator pays its suppliers', async () => {
    const client = await createAgent({
      network: devnet as Network,
      account: devnet.accounts[6]!.privateKey,
      store: join(dir, 'client'),
    })
    agents.push(client)
    const [tool] = orchestrator.served
    expect(tool).toMatchObject({ name: 'dataset-report', price: 20_000n })
    const result = await client.call(tool!.toolId, { csv: reviews, goal: 'find duplicates' })
    const output = DatasetReport.parse(result.output)
    expect(output.calls.map((c) => c.step)).toEqual(['statistics', 'dedupe'])
    expect(output.total).toBe('3000')
    expect(output.report).toContain('- 1 duplicate row; 6 unique.')
    expect(result.price).toBe(20_000n)
  })

  test('with a model, the LLM drives the chosen tools and the calls are still listed', async () => {
    const statsTool = stats.served.find((s) => s.name === 'dataset-stats')!
    const llm = fakeModel()
      .respondWithTools([
        { name: `dataset-stats_${statsTool.toolId}`, args: { csv: reviews }, id: 'call-1' },
      ])
      .respond(new AIMessage('# Reviews\n\nSeven reviews of three products; batteries please.'))
    const analyst = await createAgent({
      network: devnet as Network,
      account: devnet.accounts[7]!.privateKey,
      store: join(dir, 'analyst'),
      llm,
    })
    agents.push(analyst)
    const job = await runJob({ agent: analyst, goal: 'profile these reviews', dataset: reviews })
    expect(job.mode).toBe('model')
    expect(job.report).toMatch(
      /^# Reviews\n\nSeven reviews of three products; batteries please\.\n\n## Tools bought\n/,
    )
    expect(job.calls.map((c) => [c.step, c.provider])).toEqual([
      ['statistics', stats.agent.address],
    ])
    expectLedgersAgree(job, analyst)
  })

  test('a model whose every tool call fails: the job is not done, and says which calls failed with their codes', async () => {
    const statsTool = stats.served.find((s) => s.name === 'dataset-stats')!
    const name = `dataset-stats_${statsTool.toolId}`
    // Well-formed arguments, but a CSV whose rows do not match its header: the provider refuses.
    const broken = { csv: 'a,b\n1,2,3\n' }
    const llm = fakeModel()
      .respondWithTools([{ name, args: broken, id: 'call-1' }])
      .respondWithTools([{ name, args: broken, id: 'call-2' }])
      .respond(new AIMessage('# Reviews\n\nThe tools failed; nothing to report.'))
    const unlucky = await createAgent({
      network: devnet as Network,
      account: devnet.accounts[0]!.privateKey,
      store: join(dir, 'unlucky'),
      llm,
    })
    agents.push(unlucky)
    const job = await runJob({ agent: unlucky, goal: 'profile these reviews', dataset: reviews })
    expect(job.calls).toEqual([])
    expect(job.ok).toBe(false)
    expect(job.failures).toHaveLength(2)
    const [failure] = job.failures
    expect(failure).toMatchObject({
      step: 'statistics',
      code: 'INPUT_INVALID',
      message: expect.stringContaining(statsTool.ref),
    })
    expect(job.problems).toEqual(job.failures.map((f) => `statistics: ${f.message} (${f.code})`))
    expect(job.report).toContain(
      `## Not done\n\n- statistics: ${failure!.message} (${failure!.code})\n`,
    )
    expect(job.report).toContain('No calls were made.')
  })

  test('node agents/orchestrator with GOTONG_DATASET runs one job, prints the report and exits', async () => {
    const file = join(dir, 'reviews.csv')
    writeFileSync(file, reviews)
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [
        '--conditions=source',
        '--import',
        'tsx',
        fileURLToPath(new URL('./run.ts', import.meta.url)),
      ],
      {
        env: {
          ...process.env,
          GOTONG_RPC_URL: devnet.rpcUrl,
          GOTONG_DEPLOYMENTS: devnet.deploymentsFile!,
          GOTONG_PRIVATE_KEY: devnet.accounts[8]!.privateKey,
          GOTONG_STORE: join(dir, 'alone'),
          GOTONG_DATASET: file,
          GOTONG_GOAL: 'how many duplicates?',
        },
        timeout: 50_000,
      },
    )
    expect(stderr).toBe('')
    const lines = stdout.split('\n')
    expect(lines[0]).toBe(
      `orchestrator ${devnet.accounts[8]!.address} at ${lines[0]!.split(' at ')[1]}`,
    )
    expect(lines[1]).toMatch(/^ {2}tool \d+ dataset-report 0\.02 gUSD\/call /)
    expect(stdout).toContain('  plan: statistics, dedupe\n')
    expect(stdout).toContain('# Dataset report\n\nGoal: how many duplicates?\n')
    expect(stdout).toContain(
      'paid 0.003 gUSD in 2 calls\norchestrator: stopping\norchestrator: stopped\n',
    )
  }, 60_000)

  test('node agents/orchestrator with GOTONG_DATASET on a directory with nothing to buy exits 1 and says why', async () => {
    // A chain of its own, where no provider has published anything.
    const empty = await startDevnet({ accounts: 2, deploymentsFile: join(dir, 'empty.json') })
    try {
      const file = join(dir, 'reviews.csv')
      writeFileSync(file, reviews)
      const run = spawnSync(
        process.execPath,
        [
          '--conditions=source',
          '--import',
          'tsx',
          fileURLToPath(new URL('./run.ts', import.meta.url)),
        ],
        {
          env: {
            ...process.env,
            GOTONG_RPC_URL: empty.rpcUrl,
            GOTONG_DEPLOYMENTS: empty.deploymentsFile!,
            GOTONG_PRIVATE_KEY: empty.accounts[1]!.privateKey,
            GOTONG_STORE: join(dir, 'alone-empty'),
            GOTONG_DATASET: file,
            GOTONG_GOAL: 'how many duplicates?',
          },
          encoding: 'utf8',
          timeout: 50_000,
        },
      )
      expect(run.status, run.stderr).toBe(1)
      expect(run.stdout).toContain('paid 0 gUSD in 0 calls\n')
      expect(run.stderr).toBe(
        [
          'orchestrator: the job was not done:',
          '- statistics: no provider offers it within the policy (NO_OFFER)',
          '- dedupe: no provider offers it within the policy (NO_OFFER)',
          '',
        ].join('\n'),
      )
    } finally {
      await empty.stop()
    }
  }, 60_000)
})
