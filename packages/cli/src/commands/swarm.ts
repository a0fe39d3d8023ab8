import { readFileSync } from 'node:fs'
import { formatAmount, parseWith } from '@gotong/core'
import { Command, InvalidArgumentError, Option } from 'commander'
import { exitWithParent } from '../exitWithParent.js'
import type { SwarmResult } from '../swarm/runSwarm.js'
import { parseGusd } from './agentOptions.js'

/**
 * `gotong swarm`: the main job. A devnet, provider agents and an orchestrator that profiles a
 * dataset by buying their tools; exits 0 only if the job was done and the books balance to the
 * unit. With `--hosts 3` it runs itself again inside the consumers' network namespace, passing
 * the hosts it made with the hidden `--on-hosts`; the live view (`--ui`) would then serve out of
 * a browser's reach, so the two conflict.
 */
export function swarmCommand(): Command {
  return new Command('swarm')
    .description(
      'run an agent swarm on the embedded devnet: providers publish tools, an orchestrator finds, negotiates and pays for them',
    )
    .option('--processes', 'run every provider in its own Node process (HTTP on loopback)', false)
    .addOption(
      new Option(
        '--hosts <n>',
        'run on 3 hosts (Linux network namespaces, root only): the chain, the providers, the consumers',
      )
        .argParser(threeHosts)
        .conflicts('ui'),
    )
    .addOption(new Option('--on-hosts <json>').hideHelp())
    .option(
      '--agents <n>',
      'number of provider agents (5 kinds; more compete on price)',
      positiveInt,
      5,
    )
    .option('--dataset <file>', 'a CSV file to profile (default: the bundled product reviews)')
    .option('--goal <text>', 'what the orchestrator is asked to do')
    .option('--budget <gUSD>', 'the most the orchestrator may spend, e.g. 0.05', parseGusd)
    .option(
      '--dishonest',
      'add a provider whose deterministic tool lies: the orchestrator spot-checks, catches and slashes it',
      false,
    )
    .option('--json', 'print one JSON object at the end instead of text', false)
    .option(
      '--ui',
      'serve the live view while the swarm works, and keep it up after (Ctrl-C ends)',
      false,
    )
    .option('--ui-port <n>', 'port of the live view (default: a free one)', uiPort)
    .action(
      async (options: {
        processes: boolean
        hosts?: number
        onHosts?: string
        agents: number
        dataset?: string
        goal?: string
        budget?: bigint
        dishonest: boolean
        json: boolean
        ui: boolean
        uiPort?: number
      }) => {
        const live = (line: string) => {
          const t = ((performance.now() - started) / 1000).toFixed(1).padStart(5)
          process.stderr.write(`${t}s  ${line}\n`)
        }
        const started = performance.now()
        if (options.hosts && !options.onHosts) {
          // Under npm run, a SIGTERM to npm would leave this orphaned, its hosts standing.
          exitWithParent()
          const { runOnHosts } = await import('../swarm/hosts/runOnHosts.js')
          process.exitCode = await runOnHosts(process.argv.slice(2), (line) =>
            process.stderr.write(`${line}\n`),
          )
          return
        }
        // Loaded here: the agents and LangChain take seconds to load; other commands skip them.
        const { runSwarm } = await import('../swarm/runSwarm.js')
        const print = (result: SwarmResult) => {
          if (options.json)
            process.stdout.write(
              `${JSON.stringify(result, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}\n`,
            )
          else process.stdout.write(formatSwarm(result))
        }
        let printed = false
        const result = await runSwarm({
          agents: options.agents,
          processes: options.processes,
          ...(options.onHosts ? { hosts: await onHosts(options.onHosts) } : {}),
          ...(options.dataset ? { dataset: readFileSync(options.dataset, 'utf8') } : {}),
          ...(options.goal ? { goal: options.goal } : {}),
          ...(options.budget !== undefined ? { budget: options.budget } : {}),
          ...(options.dishonest ? { dishonest: true } : {}),
          log: options.json ? () => {} : live,
          ...(options.ui
            ? {
                ui: {
                  ...(options.uiPort !== undefined ? { port: options.uiPort } : {}),
                  // Printed even with --json (on stderr): the one line a viewer needs.
                  ready: (ui) => {
                    process.stderr.write(`live view: open ${ui.url}\n`)
                  },
                  afterJob: async (done) => {
                    print(done)
                    printed = true
                    process.stderr.write(
                      'the live view stays up over the finished swarm: Ctrl-C ends it\n',
                    )
                    await new Promise<void>((resolve) => {
                      process.once('SIGINT', resolve)
                      process.once('SIGTERM', resolve)
                    })
                  },
                },
              }
            : {}),
        })
        if (!printed) print(result)
        if (!result.balanced || !result.job.ok) process.exitCode = 1
      },
    )
}

function threeHosts(value: string): number {
  if (value !== '3')
    throw new InvalidArgumentError('3: the chain, the providers and the consumers each get a host')
  return 3
}

async function onHosts(json: string) {
  const { SwarmHosts } = await import('../swarm/hosts/createHosts.js')
  return parseWith(SwarmHosts, JSON.parse(json), '--on-hosts')
}

function uiPort(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw new InvalidArgumentError('a port number from 0 to 65535')
  return n
}

function positiveInt(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > 100)
    throw new InvalidArgumentError('a whole number from 1 to 100')
  return n
}

const gusd = (v: bigint) => formatAmount(v, 6)

/** The end-of-run summary: the report, the books per agent, the channels, the verdict. */
export function formatSwarm(result: SwarmResult): string {
  const lines: string[] = [
    '',
    result.report.trim(),
    '',
    '## Books (balances read back from the chain, gUSD)',
    '',
  ]
  lines.push(
    '| agent | address | calls made | calls served | spent | earned | balance before | balance after |',
  )
  lines.push('| --- | --- | --: | --: | --: | --: | --: | --: |')
  for (const b of result.books)
    lines.push(
      `| ${b.name} | ${b.address} | ${b.callsMade} | ${b.callsServed} | ${gusd(b.spent)} | ${gusd(b.earned)} | ${gusd(b.balanceBefore)} | ${gusd(b.balanceAfter)} |`,
    )
  lines.push(
    '',
    '## Channels',
    '',
    '| channel | provider | deposit | paid | refunded | state |',
    '| --- | --- | --: | --: | --: | --- |',
  )
  for (const c of result.channels)
    lines.push(
      `| ${c.channelId.slice(0, 10)}… | ${c.provider} | ${gusd(c.deposit)} | ${gusd(c.paid)} | ${gusd(c.refunded)} | ${c.status} |`,
    )
  const kinds = Object.entries(result.transactions.byKind)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, n]) => `${kind} ${n}`)
  lines.push(
    '',
    `${result.transactions.total} transactions on chain for the job, ${result.channels.length} channels: ${kinds.join(', ')}.`,
  )
  if (result.reputation.length)
    lines.push(
      '',
      '## Reputation (ERC-8004, paid calls only: feedback through the receipt gateway)',
      '',
      '| provider | agent id | paid feedback | average (0–100) | paid behind it |',
      '| --- | --: | --: | --: | --: |',
      ...result.reputation.map(
        (r) =>
          `| ${r.name} | ${r.agentId ?? 'not registered'} | ${r.feedbacks} | ${r.feedbacks ? r.average : '–'} | ${gusd(r.paid)} |`,
      ),
    )
  if (result.trust) lines.push(...formatTrust(result))
  const slashed = result.books.reduce((sum, b) => sum + b.rewarded, 0n)
  lines.push(
    '',
    `${result.calls} paid calls, ${result.receiptsVerified} receipts verified, planner: ${result.modelSource === 'none' ? 'deterministic (no LLM configured)' : `LLM (${result.modelSource})`}, ${(result.ms / 1000).toFixed(1)} s.`,
    result.balanced
      ? `The books balance to the unit: chain = payer ledger = provider ledgers${slashed ? `, and the orchestrator's balance holds ${gusd(slashed)} gUSD of slashed stake` : ''}.`
      : `The books do NOT balance:\n${result.problems.map((p) => `- ${p}`).join('\n')}`,
    ...(result.job.ok
      ? []
      : [`The job was NOT done:\n${result.job.problems.map((p) => `- ${p}`).join('\n')}`]),
    '',
  )
  return lines.join('\n')
}

/** The spot checks under `--dishonest`: what each found, what checking cost, who was slashed. */
function formatTrust(result: SwarmResult): string[] {
  const trust = result.trust!
  const nameOf = (address: string) =>
    result.books.find((b) => b.address.toLowerCase() === address.toLowerCase())?.name ?? address
  const lines = [
    '',
    `## Trust (spot checks of deterministic calls at rate ${trust.rate}, equivocations reported)`,
    '',
    '| tool | provider | verdict | calls re-bought | gUSD | validations (agent: 0–100) |',
    '| --: | --- | --- | --: | --: | --- |',
    ...trust.checks.map(
      (c) =>
        `| ${c.toolId} | ${nameOf(c.provider)} | ${c.verdict} | ${c.calls} | ${gusd(c.spent)} | ${c.validations.map((v) => `${v.agentId}: ${v.response}`).join(', ') || '–'} |`,
    ),
    '',
    `Checking cost ${trust.rebought} calls bought again, ${gusd(trust.reboughtSpent)} gUSD.`,
  ]
  for (const s of trust.slashes)
    lines.push(
      `${nameOf(s.provider)} was caught and slashed: ${gusd(s.slashed)} gUSD of stake taken, ${gusd(s.reward)} gUSD paid to the orchestrator (${s.transactionHash}).`,
    )
  if (!trust.slashes.length) lines.push('No provider was slashed.')
  return lines
}
