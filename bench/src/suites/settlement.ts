import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClients, gotongTokenName } from '@gotong/chain'
import { type Devnet, startDevnet } from '@gotong/chain/node'
import { gotongDomain, hashAgreement } from '@gotong/core'
import { privateKeySigner } from '@gotong/payments'
import { createSqlitePayeeStore, createSqlitePayerStore } from '@gotong/payments/node'
import { claimChannel, createChannelReader, createPayee } from '@gotong/payments/payee'
import { createPayer, openChannel } from '@gotong/payments/payer'
import { createLocalFacilitator } from '@gotong/x402'
import { x402Client } from '@x402/core/client'
import type { PaymentRequired, PaymentRequirements } from '@x402/core/types'
import { ExactEvmScheme } from '@x402/evm/exact/client'
import { type Hex, keccak256, toHex, zeroHash } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import type { Suite } from '../harness.js'

/**
 * The same N paid calls settled two ways on one anvil: gotong's channel (open, N vouchers with
 * durable accept and signed receipts, one cooperative close) and, per call, an x402 `exact`
 * payment in gUSD made with x402's own packages: the authorization signed by x402's exact EVM
 * client, verified and settled (`transferWithAuthorization`) by x402's facilitator.
 */
export const settlement: Suite = {
  name: 'settlement',
  title: "Settlement: gotong channels vs x402 exact per call (x402's client and facilitator)",
  async run(ctx) {
    const sizes = ctx.quick ? [1, 10] : [1, 10, 100, 1_000]
    const price = 2_000n
    const block = 50
    const dir = mkdtempSync(join(tmpdir(), 'gotong-bench-settlement-'))
    let devnet: Devnet | undefined
    try {
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

      // x402: what a resource server asks for (as a gotong tool's x402 face does), the payer's
      // x402 client with the exact EVM scheme, and x402's facilitator (`x402Facilitator` with
      // the exact EVM facilitator scheme) in this process, sending from its own account.
      const network = `eip155:${chainId}` as const
      const requirements: PaymentRequirements = {
        scheme: 'exact',
        network,
        amount: price.toString(),
        asset: gotongToken,
        payTo: payeeAccount.address,
        maxTimeoutSeconds: 60,
        extra: { name: gotongTokenName, version: '1' },
      }
      const paymentRequired: PaymentRequired = {
        x402Version: 2,
        resource: {
          url: 'http://127.0.0.1/settlement',
          description: 'One paid call.',
          mimeType: 'application/json',
        },
        accepts: [requirements],
      }
      const client = x402Client.fromConfig({
        schemes: [
          { network, client: new ExactEvmScheme(privateKeyToAccount(payerAccount.privateKey)) },
        ],
        // x402's client pays only the assets it knows by default: gUSD is opted in.
        spendControls: {
          allowedAssets: [{ network, asset: gotongToken, maxAmountPerPayment: `${price}` }],
        },
      })
      const facilitator = createLocalFacilitator({
        publicClient,
        walletClient: asFacilitator.walletClient!,
        networks: [network],
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
        // The two paths alternate in blocks of calls, so both see the same load on the machine
        // while each runs its calls back to back, as a caller would.
        let gotongMs = 0
        const perCall: number[] = []
        const transactions: Hex[] = []
        let started = performance.now()
        const opened = await openChannel(asPayer.walletClient!, publicClient, {
          channels: paymentChannels,
          payee: payeeAccount.address,
          token: gotongToken,
          deposit: BigInt(n) * price,
          challengePeriod: 3_600,
        })
        payer.trackChannel({ key: opened.key, deposit: BigInt(n) * price })
        await payee.acceptChannel({ key: opened.key, agreement, termsHash })
        gotongMs += performance.now() - started
        for (let from = 0; from < n; from += block) {
          const to = Math.min(n, from + block)
          // gotong: a voucher, the payee's durable accept and commit with a signed receipt, the
          // payer's check of the receipt.
          started = performance.now()
          for (let i = from; i < to; i++) {
            const requestHash = keccak256(toHex(`request ${i}`))
            const issued = await payer.createVoucher({
              channelId: opened.channelId,
              termsHash,
              amount: price,
              requestHash,
            })
            const ticket = await payee.acceptVoucher(wire(issued.payment), { requestHash })
            const receipt = await ticket.commit({
              responseHash: keccak256(toHex(`response ${i}`)),
            })
            payer.confirm(issued, wire(receipt), requestHash)
          }
          gotongMs += performance.now() - started

          // x402 exact: the client signs a TransferWithAuthorization (x402's exact EVM client:
          // random nonce, valid from 10 minutes ago for maxTimeoutSeconds), the resource server
          // has the facilitator verify it (signature, recipient, amount, window, balance, a
          // simulated transfer), then settle it (verify again, send, wait for the receipt).
          for (let i = from; i < to; i++) {
            started = performance.now()
            const payload = await client.createPaymentPayload(paymentRequired)
            const verified = await facilitator.verify(payload, requirements)
            if (!verified.isValid) throw new Error(`x402 verify refused: ${verified.invalidReason}`)
            const settled = await facilitator.settle(payload, requirements)
            if (!settled.success) throw new Error(`x402 settle failed: ${settled.errorReason}`)
            perCall.push(performance.now() - started)
            transactions.push(settled.transaction as Hex)
          }
        }
        started = performance.now()
        const best = payeeStore.highestCommitted(opened.channelId)!
        const closed = await claimChannel(asPayee.walletClient!, publicClient, {
          channels: paymentChannels,
          key: opened.key,
          voucher: best,
          signature: best.signature,
          close: true,
        })
        gotongMs += performance.now() - started
        gotong.ms.set(n, gotongMs / n)
        const [a, b] = await Promise.all([
          publicClient.getTransactionReceipt({ hash: opened.hash }),
          publicClient.getTransactionReceipt({ hash: closed.hash }),
        ])
        if (b.status !== 'success') throw new Error('cooperative close failed')
        gotong.gas.set(n, Number(a.gasUsed + b.gasUsed) / n)
        payeeStore.close()

        let gas = 0n
        for (const hash of transactions) {
          const receipt = await publicClient.getTransactionReceipt({ hash })
          if (receipt.status !== 'success') throw new Error('transferWithAuthorization failed')
          gas += receipt.gasUsed
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
          name: `x402 exact, gas per call, ${calls}`,
          unit: 'gas',
          samples: [x402.gas.get(n)!],
          note: "one gUSD transferWithAuthorization per call, sent by x402's facilitator",
        })
        ctx.record({
          name: `gotong channel, time per call, ${calls}`,
          unit: 'ms',
          samples: [gotong.ms.get(n)!],
          note: '(open + N × voucher, durable accept, signed receipt, receipt check + close) / N',
        })
        ctx.record({
          name: `x402 exact, time per call, ${calls}`,
          unit: 'ms',
          samples: perCall,
          note: "x402's exact client signs; x402's facilitator verifies, then settles (verifies again, sends, waits for the receipt)",
        })
        ctx.log(
          `N = ${n}: gas/call ${Math.round(gotong.gas.get(n)!)} vs ${Math.round(x402.gas.get(n)!)}, ms/call ${gotong.ms.get(n)!.toFixed(2)} vs ${x402.ms.get(n)!.toFixed(2)}`,
        )
      }

      const largest = sizes.at(-1)!
      const full = largest === 1_000
      const at = `N = ${largest.toLocaleString('en-US')}`
      ctx.record({
        name: `gas per call, x402 exact ÷ gotong, ${at}`,
        unit: '×',
        samples: [x402.gas.get(largest)! / gotong.gas.get(largest)!],
        ...(full ? { target: { min: 100 } } : {}),
        note: "x402's packages (@x402/core client and facilitator, @x402/evm exact scheme) paying gUSD, which has EIP-3009 as USDC does",
      })
      ctx.record({
        name: `time per call, x402 exact ÷ gotong, ${at}`,
        unit: '×',
        samples: [x402.ms.get(largest)! / gotong.ms.get(largest)!],
        ...(full ? { target: { min: 10 } } : {}),
        note: 'mean per call; the paths alternate in blocks of 50 calls on the same anvil (a block per transaction, no block time), in the same process',
      })
    } finally {
      await devnet?.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  },
}

/** What crosses the wire: JSON, bigints as decimal strings. */
function wire(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? `${v}` : v)))
}
