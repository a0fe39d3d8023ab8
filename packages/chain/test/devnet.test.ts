import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import {
  gotongTokenAbi,
  identityRegistryAbi,
  paymentChannelsAbi,
  providerStakeAbi,
  receiptFeedbackGatewayAbi,
  reputationRegistryAbi,
  toolDirectoryAbi,
  validationRegistryAbi,
} from '@gotong/contracts'
import { getAddress } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  canonicalErc8004Registries,
  connect,
  createClients,
  DeployFailedError,
  DeploymentsChainMismatchError,
  DeploymentsInvalidError,
  DevnetPortInUseError,
  deploy,
  parseDeployments,
  RpcUnreachableError,
} from '../src/index.js'
import { type Devnet, readDeployments, startDevnet, writeDeployments } from '../src/node/index.js'

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function waitUntilDead(pid: number, ms = 5_000) {
  const until = Date.now() + ms
  while (isAlive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 25))
  return !isAlive(pid)
}

describe('startDevnet', () => {
  let devnet: Devnet
  beforeAll(async () => {
    devnet = await startDevnet()
  })
  afterAll(async () => {
    await devnet?.stop()
  })

  test('answers eth_chainId on a loopback port', async () => {
    expect(devnet.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const response = await fetch(devnet.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
    })
    expect(await response.json()).toMatchObject({ result: '0x7a69' })
  })

  test('deploys the token and passes, and funds every account with gUSD', async () => {
    const { gotongToken, accessPass } = devnet.deployments!.contracts
    expect(await devnet.publicClient.getCode({ address: gotongToken })).toMatch(/^0x[0-9a-f]{100,}/)
    expect(await devnet.publicClient.getCode({ address: accessPass })).toMatch(/^0x[0-9a-f]{100,}/)
    const read = (functionName: 'decimals' | 'symbol' | 'name') =>
      devnet.publicClient.readContract({ address: gotongToken, abi: gotongTokenAbi, functionName })
    expect([await read('name'), await read('symbol'), await read('decimals')]).toEqual([
      'Gotong USD',
      'gUSD',
      6,
    ])
    expect(devnet.accounts).toHaveLength(10)
    for (const account of devnet.accounts) {
      const balance = await devnet.publicClient.readContract({
        address: gotongToken,
        abi: gotongTokenAbi,
        functionName: 'balanceOf',
        args: [account.address],
      })
      expect(balance).toBe(10_000_000_000n)
    }
  })

  test('deploys the ERC-8257 directory, the payment channels and the pause predicate', async () => {
    const { toolDirectory, paymentChannels, alwaysDenyPredicate } = devnet.deployments!.contracts
    const supports = (id: `0x${string}`) =>
      devnet.publicClient.readContract({
        address: toolDirectory,
        abi: toolDirectoryAbi,
        functionName: 'supportsInterface',
        args: [id],
      })
    expect(await supports('0xf1dc8075')).toBe(true)
    expect(await supports('0xbdf9dc18')).toBe(false)
    expect(
      await devnet.publicClient.readContract({
        address: toolDirectory,
        abi: toolDirectoryAbi,
        functionName: 'toolCount',
      }),
    ).toBe(0n)
    const [, name, version, chainId, verifyingContract] = await devnet.publicClient.readContract({
      address: paymentChannels,
      abi: paymentChannelsAbi,
      functionName: 'eip712Domain',
    })
    expect({ name, version, chainId, verifyingContract }).toEqual({
      name: 'gotong',
      version: '1',
      chainId: 31337n,
      verifyingContract: paymentChannels,
    })
    expect(await devnet.publicClient.getCode({ address: alwaysDenyPredicate })).toMatch(
      /^0x[0-9a-f]+$/,
    )
  })

  test('deploys the ERC-8004 registries and the receipt feedback gateway, wired together', async () => {
    const contracts = devnet.deployments!.contracts
    const read = devnet.publicClient.readContract
    const identityRegistry = contracts.identityRegistry!
    expect(
      await read({ address: identityRegistry, abi: identityRegistryAbi, functionName: 'name' }),
    ).toBe('AgentIdentity')
    expect(
      await read({
        address: contracts.reputationRegistry!,
        abi: reputationRegistryAbi,
        functionName: 'getIdentityRegistry',
      }),
    ).toBe(identityRegistry)
    expect(
      await read({
        address: contracts.validationRegistry!,
        abi: validationRegistryAbi,
        functionName: 'getIdentityRegistry',
      }),
    ).toBe(identityRegistry)
    const gateway = (
      functionName:
        | 'identityRegistry'
        | 'reputationRegistry'
        | 'paymentChannels'
        | 'token'
        | 'toolRegistry',
    ) =>
      read({
        address: contracts.receiptFeedbackGateway!,
        abi: receiptFeedbackGatewayAbi,
        functionName,
      })
    expect({
      identityRegistry: await gateway('identityRegistry'),
      reputationRegistry: await gateway('reputationRegistry'),
      paymentChannels: await gateway('paymentChannels'),
      token: await gateway('token'),
      toolRegistry: await gateway('toolRegistry'),
    }).toEqual({
      identityRegistry,
      reputationRegistry: contracts.reputationRegistry,
      paymentChannels: contracts.paymentChannels,
      token: contracts.gotongToken,
      toolRegistry: contracts.toolDirectory,
    })
  })

  test('deploys ProviderStake on the devnet token, signing domain and a week of withdrawal delay', async () => {
    const contracts = devnet.deployments!.contracts
    const stake = (functionName: 'token' | 'paymentChannels' | 'withdrawalDelay') =>
      devnet.publicClient.readContract({
        address: contracts.providerStake!,
        abi: providerStakeAbi,
        functionName,
      })
    expect({
      token: await stake('token'),
      paymentChannels: await stake('paymentChannels'),
      withdrawalDelay: await stake('withdrawalDelay'),
    }).toEqual({
      token: contracts.gotongToken,
      paymentChannels: contracts.paymentChannels,
      withdrawalDelay: 604_800n,
    })
  })

  test('writes a deployments file that connect() accepts', async () => {
    const deployments = await readDeployments(devnet.deploymentsFile!, { chainId: 31337 })
    expect(deployments).toEqual(devnet.deployments)
    const connection = await connect({
      rpcUrl: devnet.rpcUrl,
      deployments,
      privateKey: devnet.accounts[1]!.privateKey,
    })
    expect(connection.walletClient?.account.address).toBe(devnet.accounts[1]!.address)
    expect(connection.chain.id).toBe(31337)
  })

  test('a deployments file for another chain is refused', async () => {
    const other = { ...devnet.deployments!, chainId: 8453 }
    await expect(connect({ rpcUrl: devnet.rpcUrl, deployments: other })).rejects.toThrow(
      DeploymentsChainMismatchError,
    )
    const path = `${devnet.deploymentsFile}.other.json`
    await writeDeployments(path, other)
    await expect(readDeployments(path, { chainId: 31337 })).rejects.toMatchObject({
      code: 'DEPLOYMENTS_CHAIN_MISMATCH',
    })
  })

  test('a malformed deployments file is a typed error', async () => {
    await expect(readDeployments('/nonexistent/deployments.json')).rejects.toThrow(
      DeploymentsInvalidError,
    )
    await expect(
      connect({ rpcUrl: devnet.rpcUrl, deployments: { chainId: 31337 } as never }),
    ).rejects.toMatchObject({ code: 'DEPLOYMENTS_INVALID' })
  })

  test('a requested port that is taken fails with DEVNET_PORT_IN_USE', async () => {
    const port = Number(new URL(devnet.rpcUrl).port)
    const error = await startDevnet({ port, deploy: false }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DevnetPortInUseError)
    expect((error as DevnetPortInUseError).code).toBe('DEVNET_PORT_IN_USE')
  })
})

describe('startDevnet on another address', () => {
  test('listens on `host`, under `commandPrefix`, which keeps anvil as the process stop() ends', async () => {
    // 127.0.0.2 is loopback on Linux but not the default 127.0.0.1; `env` execs its command.
    const devnet = await startDevnet({ host: '127.0.0.2', commandPrefix: ['env'], deploy: false })
    try {
      expect(new URL(devnet.rpcUrl).hostname).toBe('127.0.0.2')
      expect(await devnet.publicClient.getChainId()).toBe(31337)
    } finally {
      await devnet.stop()
    }
    expect(await waitUntilDead(devnet.pid)).toBe(true)
  })
})

describe('deploy() to any chain', () => {
  test('deploys to a bare node, and only the gateway on top of existing ERC-8004 registries', async () => {
    const bare = await startDevnet({ deploy: false, accounts: 2, chainId: 1337 })
    try {
      expect(bare.deployments).toBeUndefined()
      const { walletClient, publicClient } = createClients({
        rpcUrl: bare.rpcUrl,
        chainId: 1337,
        privateKey: bare.accounts[0]!.privateKey,
      })
      const deployments = await deploy({ walletClient: walletClient!, publicClient })
      expect(deployments.chainId).toBe(1337)
      const balance = await publicClient.readContract({
        address: deployments.contracts.gotongToken,
        abi: gotongTokenAbi,
        functionName: 'totalSupply',
      })
      expect(balance).toBe(0n)

      // Against registries already on the chain (the canonical ones on a public chain), only
      // the gateway is deployed, and it gives feedback to them.
      const { identityRegistry, reputationRegistry } = deployments.contracts
      const onTop = await deploy({
        walletClient: walletClient!,
        publicClient,
        erc8004: { identityRegistry: identityRegistry!, reputationRegistry: reputationRegistry! },
      })
      expect(onTop.contracts).toMatchObject({ identityRegistry, reputationRegistry })
      expect(onTop.contracts.validationRegistry).toBeUndefined()
      expect(onTop.contracts.receiptFeedbackGateway).not.toBe(
        deployments.contracts.receiptFeedbackGateway,
      )
      expect(
        await publicClient.readContract({
          address: onTop.contracts.receiptFeedbackGateway!,
          abi: receiptFeedbackGatewayAbi,
          functionName: 'reputationRegistry',
        }),
      ).toBe(reputationRegistry)

      // A reputation registry that rates another identity registry's agents is refused.
      const mismatched = await deploy({
        walletClient: walletClient!,
        publicClient,
        erc8004: {
          identityRegistry: deployments.contracts.toolDirectory,
          reputationRegistry: reputationRegistry!,
        },
      }).catch((e: unknown) => e)
      expect(mismatched).toBeInstanceOf(DeployFailedError)
      expect(mismatched).toMatchObject({
        code: 'DEPLOY_FAILED',
        shortMessage: 'Deploying ReceiptFeedbackGateway failed.',
      })
    } finally {
      await bare.stop()
    }
  })
})

describe('deployments files', () => {
  test('a file written before the ERC-8004 contracts still parses, without them', () => {
    const older = {
      version: 1,
      chainId: 8453,
      startBlock: 1,
      contracts: {
        gotongToken: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
        accessPass: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
        toolDirectory: '0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0',
        paymentChannels: '0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9',
        alwaysDenyPredicate: '0xDc64a140Aa3E981100a9becA4E685f962f0cF6C9',
      },
    }
    const parsed = parseDeployments(older)
    expect(parsed.contracts.identityRegistry).toBeUndefined()
    expect(parsed.contracts.receiptFeedbackGateway).toBeUndefined()
    // One naming the canonical registries and a gotong gateway, but no validation registry.
    const onBase = parseDeployments({
      ...older,
      contracts: {
        ...older.contracts,
        ...canonicalErc8004Registries.mainnets,
        receiptFeedbackGateway: '0x0165878A594ca255338adfa4d48449f69242Eb8F',
      },
    })
    expect(onBase.contracts.identityRegistry).toBe('0x8004A169FB4a3325136EB29fA0ceB6D2e539a432')
    expect(onBase.contracts.validationRegistry).toBeUndefined()
    expect(() =>
      parseDeployments({ ...older, contracts: { ...older.contracts, identityRegistry: '0x8004' } }),
    ).toThrow(DeploymentsInvalidError)
  })

  test('the canonical ERC-8004 addresses are checksummed', () => {
    for (const pair of Object.values(canonicalErc8004Registries)) {
      for (const address of Object.values(pair)) expect(getAddress(address)).toBe(address)
    }
  })
})

describe('errors', () => {
  test('an RPC URL where nothing listens is RPC_UNREACHABLE', async () => {
    const server = createServer()
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const { port } = server.address() as { port: number }
    await new Promise((r) => server.close(r))
    const error = await connect({
      rpcUrl: `http://127.0.0.1:${port}`,
      deployments: {} as never,
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RpcUnreachableError)
    expect((error as RpcUnreachableError).code).toBe('RPC_UNREACHABLE')
  })
})

describe('no anvil outlives its parent', () => {
  const child = fileURLToPath(new URL('./fixtures/devnet-child.ts', import.meta.url))

  async function run(mode: 'exit' | 'throw' | 'wait', signal?: NodeJS.Signals) {
    const proc = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', child, mode], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    const first = await new Promise<{ pid: number; rpcUrl: string }>((resolve, reject) => {
      proc.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString()
        const line = stdout.split('\n')[0]
        if (stdout.includes('\n') && line) resolve(JSON.parse(line))
      })
      proc.once('exit', (code) => reject(new Error(`child exited early with ${code}: ${stdout}`)))
    })
    expect(isAlive(first.pid)).toBe(true)
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)))
    if (signal) proc.kill(signal)
    await exited
    return first.pid
  }

  test.each([
    ['a normal exit', 'exit', undefined],
    ['an uncaught error', 'throw', undefined],
    ['SIGINT', 'wait', 'SIGINT'],
    ['SIGTERM', 'wait', 'SIGTERM'],
  ] as const)('after %s', async (_name, mode, signal) => {
    const pid = await run(mode, signal)
    expect(await waitUntilDead(pid)).toBe(true)
  })

  // The kernel's parent-death signal, set through util-linux's setpriv: Linux only.
  test.runIf(process.platform === 'linux')(
    'after SIGKILL, which nothing in the parent sees',
    async () => {
      const pid = await run('wait', 'SIGKILL')
      try {
        expect(await waitUntilDead(pid)).toBe(true)
      } finally {
        if (isAlive(pid)) process.kill(pid, 'SIGKILL')
      }
    },
  )

  test('stop() ends anvil', async () => {
    const devnet = await startDevnet({ deploy: false })
    await devnet.stop()
    expect(isAlive(devnet.pid)).toBe(false)
    await devnet.stop()
  })
})
