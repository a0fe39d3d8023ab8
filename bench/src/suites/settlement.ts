import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createClients } from '@gotong/chain'
import { type Devnet, startDevnet } from '@gotong/chain/node'
import { gotongDomain, hashAgreement } from '@gotong/core'
import { privateKeySigner } from '@gotong/payments'
import { createSqlitePayeeStore, createSqlitePayerStore } from '@gotong/payments/node'
import { claimChannel, createChannelReader, createPayee } from '@gotong/payments/payee'
import { createPayer, openChannel } from '@gotong/payments/payer'
import solc from 'solc'
import {
  type Abi,
  type Address,
  getAddress,
  type Hex,
  keccak256,
  parseSignature,
  recoverTypedDataAddress,
  toHex,
  zeroHash,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { Suite } from '../harness.js'

const here = dirname(fileURLToPath(import.meta.url))
const require = createRequire(import.meta.url)
const source = resolve(here, '../../contracts/Eip3009Token.sol')

/** EIP-3009's typed data, as x402's `exact` scheme signs it. */
const authorizationTypes = {
  TransferWithAuthorization: [
    { name: 'from', type: 'address' },
    { name: 'to', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'validAfter', type: 'uint256' },
    { name: 'validBefore', type: 'uint256' },
    { name: 'nonce', type: 'bytes32' },
  ],
} as const

/**
 * The same N paid calls settled two ways on one anvil: gotong's channel (open, N vouchers with
 * durable accept and signed receipts, one cooperative close) and, per call, an EIP-3009
 * `transferWithAuthorization` signed, verified and settled the way x402's `exact` scheme does.
 */
export const settlement: Suite = {
  name: 'settlement',
  title: 'Settlement: gotong channels vs an EIP-3009 transfer per call (x402 exact)',
  async run(ctx) {
    const sizes = ctx.quick ? [1, 10] : [1, 10, 100, 1_000]
    const price = 2_000n
    const dir = mkdtempSync(join(tmpdir(), 'gotong-bench-settlement-'))
    let devnet: Devnet | undefined
    try {
      const compileStart = performance.now()
      const token = compileEip3009Token()
      ctx.log(
        `Eip3009Token compiled with solc-js ${solc.version()} (${token.cached ? 'cached' : 'fresh'}, ${Math.round(performance.now() - compileStart)} ms)`,
      )
      devnet = await startDevnet({ accounts: 4 })
      const { chainId, rpcUrl } = devnet
      const { paymentChannels, gotongToken, toolDirectory } = devnet.deployments!.contracts
      const [, payerAccount, payeeAccount, facilitatorAccount] = devnet.accounts as [
        Devnet['accounts'][0],
        Devnet['accounts'][0],
        Devnet['accounts'][0],
        Devnet['accounts'][0],
      ]
      const asPayer = createClients({ rpcUrl, chainId, privateKey: payerAccount.privateKey })
      const asPayee = createClients({ rpcUrl, chainId, privateKey: payeeAccount.privateKey })
      const asFacilitator = createClients({
        rpcUrl,
        chainId,
        privateKey: facilitatorAccount.privateKey,
      })
      const publicClient = asPayer.publicClient

      // The EIP-3009 token, funded for the payer.
      const deployHash = await asFacilitator.walletClient!.deployContract({
        abi: token.abi,
        bytecode: token.bytecode,
      })
      const deployed = await publicClient.waitForTransactionReceipt({ hash: deployHash })
      const usdc = deployed.contractAddress!
      await publicClient.waitForTransactionReceipt({
        hash: await asFacilitator.walletClient!.writeContract({
          address: usdc,
          abi: token.abi,
          functionName: 'mint',
          args: [payerAccount.address, 10n ** 12n],
        }),
      })

      const gotong = { gas: new Map<number, number>(), ms: new Map<number, number>() }
      const x402 = { gas: new Map<number, number>(), ms: new Map<number, number>() }
      for (const n of sizes) {
        // gotong: open (permit + open in one transaction), N calls, one cooperative close.
        const payer = createPayer({
          store: createSqlitePayerStore(join(dir, `payer-${n}.sqlite`)),
          signer: privateKeySigner(payerAccount.privateKey),
          chainId,
          channels: paymentChannels,
        })
        const payeeStore = createSqlitePayeeStore(join(dir, `payee-${n}.sqlite`))
        const payee = createPayee({
          store: payeeStore,
          signer: privateKeySigner(payeeAccount.privateKey),
          chainId,
          channels: paymentChannels,
          readChannel: createChannelReader(publicClient, paymentChannels),
        })
        const agreement = {
          consumer: payerAccount.address,
          provider: payeeAccount.address,
          registry: toolDirectory,
          toolId: 1n,
          manifestHash: zeroHash,
          token: gotongToken,
          pricePerCall: price,
          maxCalls: 0n,
          validUntil: 0n,
          p95LatencyMs: 0,
          callsPerMinute: 0,
          nonce: keccak256(toHex(`settlement ${n}`)),
        }
        const termsHash = hashAgreement(
          agreement,
          gotongDomain({ chainId, verifyingContract: paymentChannels }),
        )
        const start = performance.now()
        const opened = await openChannel(asPayer.walletClient!, publicClient, {
          channels: paymentChannels,
          payee: payeeAccount.address,
          token: gotongToken,
          deposit: BigInt(n) * price,
          challengePeriod: 3_600,
        })
        payer.trackChannel({ key: opened.key, deposit: BigInt(n) * price })
        await payee.acceptChannel({ key: opened.key, agreement, termsHash })
        for (let i = 0; i < n; i++) {
          const requestHash = keccak256(toHex(`request ${i}`))
          const issued = await payer.createVoucher({
            channelId: opened.channelId,
            termsHash,
            amount: price,
            requestHash,
          })
          const ticket = await payee.acceptVoucher(wire(issued.payment), { requestHash })
          const receipt = await ticket.commit({ responseHash: keccak256(toHex(`response ${i}`)) })
          payer.confirm(issued, wire(receipt), requestHash)
        }
        const best = payeeStore.highestCommitted(opened.channelId)!
        const closed = await claimChannel(asPayee.walletClient!, publicClient, {
          channels: paymentChannels,
          key: opened.key,
          voucher: best,
          signature: best.signature,
          close: true,
        })
        gotong.ms.set(n, (performance.now() - start) / n)
        const [a, b] = await Promise.all([
          publicClient.getTransactionReceipt({ hash: opened.hash }),
          publicClient.getTransactionReceipt({ hash: closed.hash }),
        ])
        if (b.status !== 'success') throw new Error('cooperative close failed')
        gotong.gas.set(n, Number(a.gasUsed + b.gasUsed) / n)
        payeeStore.close()

        // x402 exact: per call the client signs an authorization, the facilitator verifies it
        // (signature, recipient, validity window, balance, amount) and settles: verifies again,
        // sends transferWithAuthorization, waits for the receipt.
        const payerSigner = privateKeyToAccount(payerAccount.privateKey)
        const domain = { name: 'USD Coin', version: '2', chainId, verifyingContract: usdc }
        const verify = async (payload: {
          authorization: Authorization
          signature: Hex
        }): Promise<void> => {
          const { authorization, signature } = payload
          const recovered = await recoverTypedDataAddress({
            domain,
            types: authorizationTypes,
            primaryType: 'TransferWithAuthorization',
            message: authorization,
            signature,
          })
          if (recovered !== getAddress(authorization.from)) throw new Error('invalid signature')
          if (getAddress(authorization.to) !== payeeAccount.address)
            throw new Error('recipient mismatch')
          const now = BigInt(Math.floor(Date.now() / 1_000))
          if (authorization.validBefore < now + 6n) throw new Error('authorization expires')
          if (authorization.validAfter > now) throw new Error('authorization not yet valid')
          const balance = (await publicClient.readContract({
            address: usdc,
            abi: token.abi,
            functionName: 'balanceOf',
            args: [authorization.from],
          })) as bigint
          if (balance < price) throw new Error('insufficient funds')
          if (authorization.value < price) throw new Error('value too low')
        }
        const perCall: number[] = []
        let gas = 0n
        for (let i = 0; i < n; i++) {
          const callStart = performance.now()
          const now = BigInt(Math.floor(Date.now() / 1_000))
          const authorization: Authorization = {
            from: payerAccount.address,
            to: payeeAccount.address,
            value: price,
            validAfter: now - 600n,
            validBefore: now + 60n,
            nonce: toHex(crypto.getRandomValues(new Uint8Array(32))),
          }
          const signature = await payerSigner.signTypedData({
            domain,
            types: authorizationTypes,
            primaryType: 'TransferWithAuthorization',
            message: authorization,
          })
          await verify({ authorization, signature }) // the resource server's /verify
          await verify({ authorization, signature }) // /settle verifies again
          const { v, r, s, yParity } = parseSignature(signature)
          const hash = await asFacilitator.walletClient!.writeContract({
            address: usdc,
            abi: token.abi,
            functionName: 'transferWithAuthorization',
            args: [
              authorization.from,
              authorization.to,
              authorization.value,
              authorization.validAfter,
              authorization.validBefore,
              authorization.nonce,
              Number(v ?? BigInt(yParity + 27)),
              r,
              s,
            ],
          })
          const receipt = await publicClient.waitForTransactionReceipt({ hash })
          if (receipt.status !== 'success') throw new Error('transferWithAuthorization failed')
          gas += receipt.gasUsed
          perCall.push(performance.now() - callStart)
        }
        x402.gas.set(n, Number(gas) / n)
        x402.ms.set(n, perCall.reduce((sum, ms) => sum + ms, 0) / n)

        const calls = `${n.toLocaleString('en-US')} call${n === 1 ? '' : 's'}`
        ctx.record({
          name: `gotong channel, gas per call, ${calls}`,
          unit: 'gas',
          samples: [gotong.gas.get(n)!],
          note: 'openWithPermit + cooperativeClose, divided by N',
        })
        ctx.record({
          name: `x402-style EIP-3009, gas per call, ${calls}`,
          unit: 'gas',
          samples: [x402.gas.get(n)!],
          note: 'one transferWithAuthorization per call',
        })
        ctx.record({
          name: `gotong channel, time per call, ${calls}`,
          unit: 'ms',
          samples: [gotong.ms.get(n)!],
          note: '(open + N × voucher, durable accept, signed receipt, receipt check + close) / N',
        })
        ctx.record({
          name: `x402-style EIP-3009, time per call, ${calls}`,
          unit: 'ms',
          samples: perCall,
          note: 'sign + verify + verify again + submit + wait for receipt, each call',
        })
        ctx.log(
          `N = ${n}: gas/call ${Math.round(gotong.gas.get(n)!)} vs ${Math.round(x402.gas.get(n)!)}, ms/call ${gotong.ms.get(n)!.toFixed(2)} vs ${x402.ms.get(n)!.toFixed(2)}`,
        )
      }

      const largest = sizes.at(-1)!
      const full = largest === 1_000
      const at = `N = ${largest.toLocaleString('en-US')}`
      const disclaimer =
        'x402 re-implemented faithfully (its npm packages cannot target an offline local chain): USDC-style EIP-3009 token compiled here, viem signTypedData, recoverTypedDataAddress, balanceOf, writeContract + waitForTransactionReceipt'
      ctx.record({
        name: `gas per call, x402-style ÷ gotong, ${at}`,
        unit: '×',
        samples: [x402.gas.get(largest)! / gotong.gas.get(largest)!],
        ...(full ? { target: { min: 100 } } : {}),
        note: disclaimer,
      })
      ctx.record({
        name: `time per call, x402-style ÷ gotong, ${at}`,
        unit: '×',
        samples: [x402.ms.get(largest)! / gotong.ms.get(largest)!],
        ...(full ? { target: { min: 10 } } : {}),
        note: 'same anvil (a block per transaction, no block time), same process, same machine',
      })
    } finally {
      await devnet?.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  },
}

type Authorization = {
  from: Address
  to: Address
  value: bigint
  validAfter: bigint
  validBefore: bigint
  nonce: Hex
}

/** What crosses the wire: JSON, bigints as decimal strings. */
function wire(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${v}` : v)))
}

/**
 * Compiles bench/contracts/Eip3009Token.sol with solc-js and OpenZeppelin from node_modules,
 * with the settings of gotong's own contracts. The output is cached under node_modules/.cache
 * by the hash of the source, compiler and settings, since solc-js takes seconds.
 */
function compileEip3009Token(): { abi: Abi; bytecode: Hex; cached: boolean } {
  const content = readFileSync(source, 'utf8')
  const settings = {
    optimizer: { enabled: true, runs: 10_000 },
    evmVersion: 'cancun',
    outputSelection: { '*': { Eip3009Token: ['abi', 'evm.bytecode.object'] } },
  }
  const key = createHash('sha256')
    .update(JSON.stringify({ content, settings, solc: solc.version() }))
    .digest('hex')
    .slice(0, 16)
  const cacheDir = resolve(here, '../../../node_modules/.cache/gotong-bench')
  const cacheFile = join(cacheDir, `Eip3009Token-${key}.json`)
  try {
    return { ...JSON.parse(readFileSync(cacheFile, 'utf8')), cached: true }
  } catch {
    // Not compiled yet with this source and compiler.
  }
  const openZeppelin = dirname(require.resolve('@openzeppelin/contracts/package.json'))
  const input = {
    language: 'Solidity',
    sources: { 'Eip3009Token.sol': { content } },
    settings,
  }
  const findImports = (path: string) => {
    const prefix = '@openzeppelin/contracts/'
    if (!path.startsWith(prefix)) return { error: `not found: ${path}` }
    try {
      return { contents: readFileSync(join(openZeppelin, path.slice(prefix.length)), 'utf8') }
    } catch {
      return { error: `not found: ${path}` }
    }
  }
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports })) as {
    errors?: { severity: string; formattedMessage: string }[]
    contracts: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>
  }
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error')
  if (errors.length > 0)
    throw new Error(`Eip3009Token.sol: ${errors.map((e) => e.formattedMessage).join('\n')}`)
  const compiled = output.contracts['Eip3009Token.sol']!.Eip3009Token!
  const artifact = { abi: compiled.abi, bytecode: `0x${compiled.evm.bytecode.object}` as Hex }
  mkdirSync(cacheDir, { recursive: true })
  writeFileSync(cacheFile, JSON.stringify(artifact))
  return { ...artifact, cached: false }
}
