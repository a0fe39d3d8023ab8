import { type AgentStartOptions, type RunningAgent, startProvider } from '@gotong/agent-runner'
import type { OfferPolicy } from './offers.js'
import { createReportTool } from './reportTool.js'

/** Options of the orchestrator: where to run, which offers it accepts, what it charges. */
export type OrchestratorOptions = AgentStartOptions & {
  /** Offers acceptable to the jobs it runs (default: p95 ≤ 2 s, any price). */
  policy?: OfferPolicy
  /** Price of its own `dataset-report` tool (default 0.02 gUSD); `false` serves nothing. */
  reportPrice?: bigint | string | false
  /** `planner` or `model` for jobs run through the report tool (default: by the agent's model). */
  mode?: 'planner' | 'model'
}

/**
 * Starts the orchestrator: an agent that buys other agents' tools to profile datasets. It
 * serves `dataset-report` (a report made with `runJob`) unless `reportPrice` is `false`; call
 * `runJob({ agent })` to run a job directly.
 *
 * @example
 * const { agent } = await start({ network: devnet, account: devnet.accounts[5].privateKey })
 * const { report, calls } = await runJob({ agent, goal: 'profile this dataset and write a short report', dataset: csv })
 */
export function start(options: OrchestratorOptions): Promise<RunningAgent> {
  const price = options.reportPrice ?? '0.02'
  return startProvider(options, 'orchestrator', (agent) =>
    price === false
      ? []
      : [
          {
            tool: createReportTool(agent, {
              ...(options.policy ? { policy: options.policy } : {}),
              ...(options.mode ? { mode: options.mode } : {}),
            }),
            options: {
              price,
              sla: { p95LatencyMs: 30_000, callsPerMinute: 10 },
              timeoutMs: 120_000,
            },
          },
        ],
  )
}
