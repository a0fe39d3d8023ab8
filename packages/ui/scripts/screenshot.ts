/**
 * Regenerates the README's picture of the live view (docs/ui.png at the repository's root):
 * runs `gotong swarm --ui` (five providers in this process, the orchestrator's job), opens the
 * view in Debian's chromium once the job is done, saves a screenshot and stops the swarm.
 *
 *   npm run screenshot -w @gotong/ui            # or with a running view: -- <url>
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { launchChromium } from '../test/browser.js'

const out = fileURLToPath(new URL('../../../docs/ui.png', import.meta.url))
const cli = fileURLToPath(new URL('../../cli/bin/gotong.js', import.meta.url))

let url = process.argv[2]
let stop = () => {}
if (!url) {
  const swarm = spawn(process.execPath, [cli, 'swarm', '--ui', '--json'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  stop = () => swarm.kill('SIGINT')
  url = await new Promise<string>((resolve, reject) => {
    let seen = ''
    let found: string | undefined
    swarm.stderr.on('data', (chunk: Buffer) => {
      seen += chunk.toString()
      found ??= /live view: open (\S+)/.exec(seen)?.[1]
      // Once the job is done the picture shows all of it.
      if (found && seen.includes('stays up')) resolve(found)
    })
    swarm.once('exit', (code) => reject(new Error(`the swarm exited (${code}):\n${seen}`)))
  })
}
const { browser, close } = await launchChromium()
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  await page.goto(url)
  await page.getByTestId('connection').getByText('live').waitFor()
  await page.locator('[data-testid=call]').first().waitFor()
  // The chain view comes every half second; let the last one land.
  await page.waitForTimeout(1_500)
  await page.screenshot({ path: out, fullPage: true })
  process.stdout.write(`saved ${out}\n`)
} finally {
  await close()
  stop()
}
