import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Suite } from '../harness.js'

const cli = fileURLToPath(new URL('../../../packages/cli/bin/gotong.js', import.meta.url))

/**
 * One `gotong swarm --json` run: its own figure of time (ms), whether the books balanced, and
 * the job's transactions on chain and channels.
 */
type Run = {
  ms: number
  balanced: boolean
  viewers: number
  transactions: number
  channels: number
}

/**
 * `npm run swarm -- --processes --agents 8` with and without the live view open: the same
 * command, its `--ui` flag, and a viewer (Debian's headless chromium on the page, or a plain
 * Server-Sent Events reader where chromium is missing) connected as soon as the view prints
 * its address. Runs alternate, so both see the same load. Time is the swarm's own `ms`.
 */
export const swarm: Suite = {
  name: 'swarm',
  title: 'swarm: the main job with and without the live view open',
  async run(ctx) {
    const agents = ctx.quick ? 2 : 8
    const rounds = ctx.quick ? 1 : 3
    const without: Run[] = []
    const withView: Run[] = []
    for (let round = 0; round < rounds; round++) {
      without.push(await runSwarm(agents, false, ctx.log))
      withView.push(await runSwarm(agents, true, ctx.log))
      ctx.log(
        `swarm round ${round + 1}: ${without.at(-1)!.ms} ms without, ${withView.at(-1)!.ms} ms with the view`,
      )
    }
    const median = (runs: Run[]) =>
      [...runs.map((r) => r.ms)].sort((a, b) => a - b)[runs.length >> 1]!
    const balanced = [...without, ...withView].every((r) => r.balanced)
    const viewer = hasChromium() ? 'headless chromium' : 'an SSE reader (no chromium)'
    ctx.record({
      name: `swarm --processes --agents ${agents}, without the view`,
      unit: 'ms',
      samples: without.map((r) => r.ms),
      note: balanced ? 'books balanced in every run' : 'books did NOT balance',
    })
    ctx.record({
      name: `swarm --processes --agents ${agents} --ui, a viewer connected`,
      unit: 'ms',
      samples: withView.map((r) => r.ms),
      note: `viewer: ${viewer}; ${withView.map((r) => r.viewers).join('/')} viewers seen`,
    })
    const runs = [...without, ...withView]
    ctx.record({
      name: 'swarm main job: on-chain transactions per job',
      unit: 'tx',
      samples: runs.map((r) => r.transactions),
      // 25 when each agreement opened its own channel (five channels for five calls).
      target: { max: 12 },
      note: `${[...new Set(runs.map((r) => r.channels))].join('/')} channels per job (one per provider paid); ${balanced ? 'books balanced' : 'books did NOT balance'}`,
    })
    ctx.record({
      name: 'swarm time with the view ÷ without (medians), %',
      unit: '%',
      samples: [(median(withView) / median(without) - 1) * 100],
      target: { max: 10 },
      ...(balanced ? {} : { note: 'books did NOT balance' }),
    })
  },
}

function hasChromium(): string | undefined {
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim() || undefined
  } catch {
    return undefined
  }
}

/** Runs the command to the end (with `--ui`: a viewer on the page, Ctrl-C once the job is done). */
async function runSwarm(agents: number, view: boolean, log: (m: string) => void): Promise<Run> {
  const args = [cli, 'swarm', '--processes', '--agents', String(agents), '--json']
  const child = spawn(process.execPath, view ? [...args, '--ui'] : args, {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  let viewer: { close(): void } | undefined
  let url: string | undefined
  let viewers = 0
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString()
    // The result is printed before the view is held open: that is the end of the job.
    if (view && out.includes('\n')) child.kill('SIGINT')
  })
  child.stderr!.on('data', (c: Buffer) => {
    err += c.toString()
    const found = /live view: open (\S+)/.exec(err)?.[1]
    if (found && !url) {
      url = found
      viewer = openViewer(url, log)
      void countViewers(url).then((n) => {
        viewers = n
      })
    }
  })
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  viewer?.close()
  const line = out.trim().split('\n').at(-1)
  if (!line) throw new Error(`swarm exited ${code} with no result:\n${err.slice(-2_000)}`)
  const result = JSON.parse(line) as {
    ms: number
    balanced: boolean
    transactions: { total: number }
    channels: unknown[]
  }
  return {
    ms: result.ms,
    balanced: result.balanced,
    viewers,
    transactions: result.transactions.total,
    channels: result.channels.length,
  }
}

/** A viewer on the page: headless chromium if there is one, else a reader of its stream. */
function openViewer(url: string, log: (m: string) => void): { close(): void } {
  const chromium = hasChromium()
  if (chromium) {
    const home = mkdtempSync(join(tmpdir(), 'gotong-bench-chromium-'))
    const browser: ChildProcess = spawn(
      chromium,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--remote-debugging-port=0',
        `--user-data-dir=${home}`,
        url,
      ],
      { env: { ...process.env, HOME: home }, stdio: 'ignore' },
    )
    return {
      close() {
        browser.kill('SIGTERM')
        browser.once('exit', () => rmSync(home, { recursive: true, force: true }))
      },
    }
  }
  log('swarm: no chromium; the viewer is a reader of the view’s stream')
  const controller = new AbortController()
  fetch(new URL('api/stream', url), { signal: controller.signal })
    .then(async (response) => {
      for await (const _ of response.body!) {
        // Read and dropped, as a page would read it.
      }
    })
    .catch(() => undefined)
  return { close: () => controller.abort() }
}

/** How many pages the view served at once, asked until one shows up (at most 20 s). */
async function countViewers(url: string): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const status = (await fetch(new URL('api/status', url))
      .then((r) => r.json())
      .catch(() => ({ viewers: 0 }))) as { viewers: number }
    if (status.viewers > 0) return status.viewers
    await new Promise((r) => setTimeout(r, 100))
  }
  return 0
}
