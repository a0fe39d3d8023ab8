import { type ChildProcessByStdio, spawn } from 'node:child_process'
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { gotongCommand } from './gotong.js'
import { gone, isAlive, parentOf, shellWords } from './processes.js'

// However gotong was started and however it ends, its anvil ends with it.

let dir: string
// Processes a test started; whatever a failing test leaves running is killed after it.
const started = new Set<number>()

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gotong-cli-lifecycle-'))
})
afterEach(() => {
  for (const pid of started) if (isAlive(pid)) process.kill(pid, 'SIGKILL')
  started.clear()
})
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true })
})

/** `gotong devnet` options: JSON, a free port, the deployments in `name`.json. */
const devnetOptions = (name: string) => [
  '--json',
  '--port',
  '0',
  '--deployments',
  join(dir, `${name}.json`),
]

/**
 * Reads the devnet that `starter` (gotong, or what started it) prints with `--json`, and
 * returns the pids of gotong (anvil's parent) and anvil.
 */
async function devnetUnder(starter: ChildProcessByStdio<null, Readable, null>) {
  let out = ''
  const { anvilPid } = await new Promise<{ anvilPid: number }>((resolve, reject) => {
    starter.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      if (out.includes('\n')) resolve(JSON.parse(out.slice(0, out.indexOf('\n'))))
    })
    starter.stdout.once('end', () => reject(new Error(`no devnet printed: ${out}`)))
  })
  const gotong = parentOf(anvilPid)
  for (const pid of [starter.pid!, gotong, anvilPid]) started.add(pid)
  return { gotong, anvilPid }
}

describe('gotong devnet ends with whatever started it', () => {
  test('under sh -c, as npx and npm run start it: a SIGTERM to the shell ends gotong and anvil', async () => {
    // The trailing exit keeps any sh in between (bash would exec a lone command), as Debian's
    // dash always stays under npx.
    const script = `${shellWords([...gotongCommand, 'devnet', ...devnetOptions('sh')])}; exit $?`
    const shell = spawn('sh', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] })
    const { gotong, anvilPid } = await devnetUnder(shell)
    expect(parentOf(gotong)).toBe(shell.pid)

    shell.kill('SIGTERM')
    expect(await gone(anvilPid)).toBe(true)
    expect(await gone(gotong)).toBe(true)
  })

  test('a parent killed by SIGKILL takes gotong and anvil with it', async () => {
    const spawnAndWait = `require('node:child_process').spawn(process.argv[1], process.argv.slice(2), { stdio: 'inherit' }); setInterval(() => {}, 60_000)`
    const parent = spawn(
      process.execPath,
      ['-e', spawnAndWait, ...gotongCommand, 'devnet', ...devnetOptions('parent')],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    const { gotong, anvilPid } = await devnetUnder(parent)
    expect(parentOf(gotong)).toBe(parent.pid)

    parent.kill('SIGKILL')
    expect(await gone(gotong)).toBe(true)
    expect(await gone(anvilPid)).toBe(true)
  })

  // The kernel's parent-death signal, set through util-linux's setpriv: Linux only.
  test.runIf(process.platform === 'linux')(
    'gotong killed by SIGKILL takes anvil with it',
    async () => {
      const [node, ...flags] = gotongCommand
      const child = spawn(node!, [...flags, 'devnet', ...devnetOptions('sigkill')], {
        stdio: ['ignore', 'pipe', 'inherit'],
      })
      const { gotong, anvilPid } = await devnetUnder(child)
      expect(gotong).toBe(child.pid)

      child.kill('SIGKILL')
      expect(await gone(anvilPid)).toBe(true)
    },
  )
})

describe('gotong devnet through npm', () => {
  let project: string
  beforeAll(async () => {
    // A project with gotong as npm would link it: a script, and a bin in node_modules/.bin.
    project = join(dir, 'project')
    const bin = join(project, 'node_modules', '.bin')
    await mkdir(bin, { recursive: true })
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({
        name: 'uses-gotong',
        private: true,
        scripts: { devnet: `${shellWords(gotongCommand)} devnet` },
      }),
    )
    await writeFile(join(bin, 'gotong'), `#!/bin/sh\nexec ${shellWords(gotongCommand)} "$@"\n`)
    await chmod(join(bin, 'gotong'), 0o755)
  })

  test.each([
    ['npm run devnet', 'npm', ['run', '--silent', 'devnet', '--']],
    ['npx gotong devnet', 'npx', ['gotong', 'devnet']],
  ] as const)('a SIGTERM to %s ends gotong and anvil', async (_name, npm, args) => {
    const child = spawn(npm, [...args, ...devnetOptions(npm)], {
      cwd: project,
      env: { ...process.env, npm_config_update_notifier: 'false', npm_config_offline: 'true' },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const { gotong, anvilPid } = await devnetUnder(child)
    // npm starts gotong through a shell, which the SIGTERM kills without passing it on.
    expect(parentOf(gotong)).not.toBe(child.pid)

    child.kill('SIGTERM')
    expect(await gone(anvilPid)).toBe(true)
    expect(await gone(gotong)).toBe(true)
  })
})
