import { type Agent, defineTool } from '@gotong/agent'
import { z } from 'zod'
import type { OfferPolicy } from './offers.js'
import { runJob } from './runJob.js'

/** The goal a report is written for unless the caller names one. */
export const defaultGoal = 'profile this dataset and write a short report'

/** Output of the dataset-report tool: the report and the calls that paid for it. */
export const DatasetReport = z.object({
  report: z.string(),
  calls: z.array(
    z.object({
      step: z.string(),
      tool: z.string(),
      ref: z.string(),
      provider: z.string(),
      /** Base units of the payment token, as a decimal string. */
      price: z.string(),
    }),
  ),
  total: z.string(),
})
export type DatasetReport = z.infer<typeof DatasetReport>

/**
 * The orchestrator's own tool: a dataset report, made by buying other agents' tools with the
 * serving agent's funds. Its price should cover what the job spends.
 *
 * @example await agent.serve(createReportTool(agent), { price: '0.02', timeoutMs: 120_000 })
 */
export function createReportTool(
  agent: Agent,
  options: { policy?: OfferPolicy; mode?: 'planner' | 'model' } = {},
) {
  return defineTool({
    name: 'dataset-report',
    description:
      'Writes a short markdown report on a CSV dataset (column profile, duplicates, keywords, sentiment and a summary of its text columns) by buying the needed tools from other agents in the directory; lists the calls made.',
    tags: ['report', 'dataset', 'orchestration'],
    version: '1.0.0',
    input: z.object({
      csv: z.string().min(1).max(900_000).describe('CSV text with a header row'),
      goal: z.string().min(1).max(2_000).optional().describe('What the report should answer'),
    }),
    output: DatasetReport,
    handler: async (input) => {
      const job = await runJob({
        agent,
        goal: input.goal ?? defaultGoal,
        dataset: input.csv,
        ...(options.policy ? { policy: options.policy } : {}),
        ...(options.mode ? { mode: options.mode } : {}),
      })
      return {
        report: job.report,
        calls: job.calls.map((call) => ({
          step: call.step,
          tool: call.tool,
          ref: call.ref,
          provider: call.provider,
          price: call.price.toString(),
        })),
        total: job.total.toString(),
      }
    },
  })
}
