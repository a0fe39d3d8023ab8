import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Browser, chromium } from 'playwright-core'

/** The flags headless Chromium needs on a machine without network. */
export const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

/** Debian's chromium (`which chromium`); `.ci/run` installs it when it is missing. */
export function chromiumPath(): string {
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim()
  } catch {
    throw new Error(
      'These tests drive Debian’s chromium: apt-get install -y --no-install-recommends chromium',
    )
  }
}

/** Launches Debian's chromium through playwright-core, with HOME in a temp folder. */
export async function launchChromium(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const home = mkdtempSync(join(tmpdir(), 'gotong-chromium-'))
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: chromiumFlags,
    env: { ...process.env, HOME: home },
  })
  return {
    browser,
    async close() {
      await browser.close()
      rmSync(home, { recursive: true, force: true })
    },
  }
}
