import { readFile } from 'node:fs/promises'
import { runAlone } from '@gotong/agent-runner'
import { formatAmount } from '@gotong/core'
import { defaultGoal } from './reportTool.js'
import { runJob } from './runJob.js'
import { start } from './start.js'

/**
 * Runs the orchestrator as a process (see `runAlone` for the variables it reads). With
 * `GOTONG_DATASET` (a CSV file) it runs one job for `GOTONG_GOAL`, prints the report and the
 * calls, and stops, exiting 1 with the failed steps on stderr if the job was not done; otherwise
 * it serves `dataset-report` until SIGINT or SIGTERM.
 *
 * @example GOTONG_DATASET=reviews.csv GOTONG_RPC_URL=… GOTONG_DEPLOYMENTS=… GOTONG_PRIVATE_KEY=… node agents/orchestrator
 */
export async function main(env: Record<string, string | undefined> = process.env): Promise<void> {
  const file = env.GOTONG_DATASET
  const oneShot = file ? new AbortController() : undefined
  const print = (line: string) => process.stdout.write(`${line}\n`)
  let done = true
  const code = await runAlone(start, {
    kind: 'orchestrator',
    env,
    ...(oneShot ? { signal: oneShot.signal } : {}),
    afterStart: async ({ agent }) => {
      if (!file || !oneShot) return
      const job = await runJob({
        agent,
        goal: env.GOTONG_GOAL ?? defaultGoal,
        dataset: await readFile(file, 'utf8'),
        log: (line) => print(`  ${line}`),
      })
      print('')
      print(job.report)
      print(`paid ${formatAmount(job.total, 6)} gUSD in ${job.calls.length} calls`)
      if (!job.ok) {
        done = false
        process.stderr.write(
          `orchestrator: the job was not done:\n${job.problems.map((p) => `- ${p}\n`).join('')}`,
        )
      }
      oneShot.abort()
    },
  })
  process.exitCode = code || (done ? 0 : 1)
}
