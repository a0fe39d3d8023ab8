import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClients } from '@gotong/chain'
import { type Devnet, startDevnet } from '@gotong/chain/node'
import { deregisterTool, getAccessRequirements, publishTool } from '@gotong/directory'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Run, gotong as run } from './gotong.js'

let devnet: Devnet
let dir: string
/** The folder the commands run in; the deployments file is outside it, in `dir`. */
let project: string
let env: Record<string, string>
// Each test runs several commands, each a Node process of its own: seconds apiece on a busy machine.

/** Runs the CLI against the test devnet (through the environment, as a user would). */
function gotong(...args: string[]): Promise<Run> {
  return gotongWith({}, ...args)
}

/** Runs the CLI in another folder, as a user there would. */
function gotongIn(cwd: string, ...args: string[]): Promise<Run> {
  return run({ cwd, env }, ...args)
}

function gotongWith(extra: Record<string, string>, ...args: string[]): Promise<Run> {
  return run({ cwd: project, env: { ...env, ...extra } }, ...args)
}

const manifest = (overrides: Record<string, unknown> = {}) => ({
  type: 'https://ercs.ethereum.org/ERCS/erc-8257#tool-manifest-v1',
  name: 'weather-now',
  description: 'Current weather and a three day forecast for any city.',
  endpoint: 'http://127.0.0.1:7001/weather',
  inputs: { type: 'object', properties: { city: { type: 'string' } } },
  outputs: { type: 'object' },
  tags: ['weather', 'forecast'],
  ...overrides,
})

async function file(name: string, value: unknown): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, typeof value === 'string' ? value : JSON.stringify(value, null, 2))
  return path
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gotong-cli-directory-'))
  project = join(dir, 'project')
  await mkdir(project)
  devnet = await startDevnet({ accounts: 3, deploymentsFile: join(dir, 'deployments.json') })
  env = {
    GOTONG_RPC_URL: devnet.rpcUrl,
    GOTONG_DEPLOYMENTS: join(dir, 'deployments.json'),
    GOTONG_PRIVATE_KEY: devnet.accounts[1]!.privateKey,
  }
}, 60_000)
afterAll(async () => {
  await devnet?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('gotong publish, search and tool', () => {
  test('publish with a price, publish a new version, find it, show its lineage', async () => {
    const v1 = await gotong(
      'publish',
      await file('weather.json', manifest()),
      '--price',
      '0.002',
      '--json',
    )
    expect(v1.stderr).toBe('')
    const published = JSON.parse(v1.stdout)
    expect(published).toMatchObject({
      version: '1',
      price: { amount: '2000', asset: expect.stringMatching(/^eip155:31337\/erc20:0x/) },
      accessPredicate: null,
    })
    const v2 = await gotong(
      'publish',
      await file(
        'weather-2.json',
        manifest({ version: '2.0.0', description: 'Weather now, with hourly forecasts.' }),
      ),
      '--price',
      '0.0015',
      '--tool',
      published.toolId,
    )
    expect(v2.stdout).toContain(`Published tool ${published.toolId}, version 2`)
    expect(v2.stdout).toContain('price      0.0015 gUSD per call')

    const found = await gotong('search', 'hourly forecasts', '--json')
    const [hit] = JSON.parse(found.stdout)
    expect(hit.listing).toMatchObject({
      toolId: published.toolId,
      ref: published.ref,
      version: '2',
      status: 'verified',
      price: { amount: '1500' },
    })
    expect(
      JSON.parse((await gotong('search', 'hourly', '--max-price', '0.001', '--json')).stdout),
    ).toEqual([])
    const text = await gotong('search', 'weather')
    expect(text.stdout).toContain('1. weather-now  v2  0.0015 gUSD/call  open')

    const tool = await gotong('tool', published.ref, '--versions', '--json')
    const { versions, ...current } = JSON.parse(tool.stdout)
    expect(current).toMatchObject({ toolId: published.toolId, version: '2', status: 'verified' })
    expect(versions.map((v: { version: string }) => v.version)).toEqual(['1', '2'])
    expect(versions[1].previousManifestHash).toBe(published.manifestHash)
    // The index is kept under .gotong/ where the commands run, one reused by all of them.
    expect((await readdir(join(project, '.gotong'))).filter((f) => f.endsWith('.sqlite'))).toEqual([
      expect.stringMatching(/^directory-31337-[0-9a-f]{8}\.sqlite$/),
    ])
  }, 90_000)

  test('tool --versions says when each version was published and what it changed, a new model spelled out', async () => {
    const model = { provider: 'openai', id: 'gpt-4o-mini', version: '2024-07-18' }
    const tool = (overrides: Record<string, unknown>) =>
      manifest({ name: 'summarize', tags: ['summarization'], ...overrides })
    const v1 = await gotong(
      'publish',
      await file('summarize.json', tool({ 'dev.gotong.model': model })),
      '--json',
    )
    expect(v1.stderr).toBe('')
    const { toolId } = JSON.parse(v1.stdout)
    const newer = { ...model, version: '2025-04-14', digest: `sha256:${'ab'.repeat(32)}` }
    const again = (name: string, value: unknown) =>
      file(name, value).then((path) => gotong('publish', path, '--tool', toolId))
    expect((await again('summarize-2.json', tool({ 'dev.gotong.model': newer }))).code).toBe(0)
    const v3 = tool({ 'dev.gotong.model': newer, description: 'Summaries, shorter.' })
    expect((await again('summarize-3.json', v3)).code).toBe(0)

    const text = await gotong('tool', toolId, '--versions')
    expect(text.stderr).toBe('')
    const versions = text.stdout.slice(text.stdout.indexOf('Versions:'))
    const iso = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/.source
    expect(versions.split('\n').filter(Boolean)).toEqual([
      'Versions:',
      expect.stringMatching(new RegExp(`^  v1  0x[0-9a-f]{64}  block \\d+  ${iso}  verified$`)),
      '      published, model openai/gpt-4o-mini@2024-07-18',
      expect.stringMatching(new RegExp(`^  v2  0x[0-9a-f]{64}  block \\d+  ${iso}  verified$`)),
      `      changed: model openai/gpt-4o-mini@2024-07-18 → openai/gpt-4o-mini@2025-04-14 (sha256:${'ab'.repeat(32)})`,
      expect.stringMatching(new RegExp(`^  v3  0x[0-9a-f]{64}  block \\d+  ${iso}  verified$`)),
      '      changed: description',
    ])

    const json = JSON.parse((await gotong('tool', toolId, '--versions', '--json')).stdout)
    expect(json.versions.map((v: { changes?: unknown }) => v.changes)).toEqual([
      undefined,
      { changed: ['model'], model: { before: model, after: newer } },
      { changed: ['description'] },
    ])
  }, 90_000)

  test('the index never lands beside a --deployments file elsewhere: .gotong/ here, or --store', async () => {
    const elsewhere = join(dir, 'elsewhere')
    const here = join(dir, 'here')
    await mkdir(elsewhere)
    await mkdir(here)
    await copyFile(join(dir, 'deployments.json'), join(elsewhere, 'deployments.json'))
    const deployments = ['--deployments', join(elsewhere, 'deployments.json')]
    const [plain, stored] = await Promise.all([
      gotongIn(here, 'search', 'weather', ...deployments, '--json'),
      gotongIn(here, 'search', 'weather', ...deployments, '--store', 'state', '--json'),
    ])
    expect(plain.code, plain.stderr).toBe(0)
    expect(stored.code, stored.stderr).toBe(0)
    expect(JSON.parse(plain.stdout)).toEqual(JSON.parse(stored.stdout))
    expect(await readdir(elsewhere)).toEqual(['deployments.json'])
    const index = [expect.stringMatching(/^directory-31337-[0-9a-f]{8}\.sqlite$/)]
    expect((await readdir(join(here, '.gotong'))).filter((f) => f.endsWith('.sqlite'))).toEqual(
      index,
    )
    expect((await readdir(join(here, 'state'))).filter((f) => f.endsWith('.sqlite'))).toEqual(index)
  }, 90_000)

  test('--gate deploys an ERC-1155 holding predicate and hints it in the manifest', async () => {
    const run = await gotong(
      'publish',
      await file('premium.json', manifest({ name: 'premium-weather', tags: ['premium'] })),
      '--gate',
      'erc1155:pass:1:2',
      '--json',
    )
    const published = JSON.parse(run.stdout)
    const { toolDirectory, accessPass } = devnet.deployments!.contracts
    const access = await getAccessRequirements(devnet.publicClient, {
      address: toolDirectory,
      toolId: BigInt(published.toolId),
    })
    expect(access).toMatchObject({
      predicate: published.accessPredicate,
      name: 'ERC1155HoldingPredicate',
      requirements: [
        {
          kindName: 'erc1155Holding',
          label: `Hold at least 2 of token id 1 of ERC-1155 collection ${accessPass.toLowerCase()}`,
        },
      ],
    })
    const someone = devnet.accounts[2]!.address
    const hidden = await gotong('search', '--tag', 'premium', '--accessible-to', someone, '--json')
    expect(JSON.parse(hidden.stdout)).toEqual([])
    const shown = await gotong('search', '--tag', 'premium')
    expect(shown.stdout).toContain('gated by ERC1155HoldingPredicate')
    const tool = await gotong('tool', published.toolId)
    expect(tool.stdout).toContain('Hold at least 2 of token id 1')
  }, 90_000)

  test('clear errors: bad manifest, too many decimals, unknown or deregistered tool, no key', async () => {
    const wallet = createClients({
      rpcUrl: devnet.rpcUrl,
      chainId: devnet.chainId,
      privateKey: devnet.accounts[0]!.privateKey,
    }).walletClient!
    const address = devnet.deployments!.contracts.toolDirectory
    const { toolId } = await publishTool(wallet, {
      address,
      manifest: { ...manifest(), creatorAddress: wallet.account.address.toLowerCase() },
    })
    await deregisterTool(wallet, { address, toolId })
    const badFile = await file('bad.json', manifest({ tags: ['Weather'] }))
    const okFile = await file('ok.json', manifest())
    const [bad, decimals, unknown, deregistered, noKey] = await Promise.all([
      gotong('publish', badFile),
      gotong('publish', okFile, '--price', '0.0000001'),
      gotong('tool', '999'),
      gotong('tool', String(toolId)),
      gotongWith({ GOTONG_PRIVATE_KEY: '' }, 'publish', okFile),
    ])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(
      /^error \[MANIFEST_INVALID\]: Invalid tool manifest: tags\.0: .*\[tag_grammar\]/,
    )
    expect(decimals.stderr).toMatch(
      /^error \[AMOUNT_INVALID\]: Amount has 7 decimal places; this token has 6\./,
    )
    expect(unknown.stderr).toMatch(/^error \[TOOL_NOT_FOUND\]: No tool 999 is registered/)
    expect(deregistered.stderr).toMatch(/^error \[TOOL_DEREGISTERED\]: Tool \d+ was deregistered/)
    expect(noKey.stderr).toMatch(/^error \[PRIVATE_KEY_REQUIRED\]/)
    for (const run of [bad, decimals, unknown, deregistered, noKey]) expect(run.code).toBe(1)
  }, 90_000)
})
