import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClients } from '@gotong/chain'
import { startDevnet } from '@gotong/chain/node'
import { gotongDomain, hashAgreement, type Voucher, voucherTypes } from '@gotong/core'
import {
  createVoucherDigester,
  privateKeySigner,
  recoverSignerLowercase,
  secp256k1Backend,
} from '@gotong/payments'
import { createSqlitePayeeStore, createSqlitePayerStore } from '@gotong/payments/node'
import { claimChannel, createChannelReader, createPayee } from '@gotong/payments/payee'
import { createPayer, openChannel } from '@gotong/payments/payer'
import { type Hex, keccak256, recoverTypedDataAddress, toHex, zeroHash } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { rate, type Suite } from '../harness.js'

const channels = '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512'
const key = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d' as Hex

/** Voucher signing, verification and durable acceptance, and gas per call on anvil. */
export const payments: Suite = {
  name: 'payments',
  title: 'Payments: vouchers signed, verified and accepted durably; gas per call',
  async run(ctx) {
    const runs = ctx.quick ? 2 : 5
    const batch = ctx.quick ? 50 : 2_000
    const viemBatch = ctx.quick ? 20 : 300
    const domain = gotongDomain({ chainId: 31337, verifyingContract: channels })
    const digest = createVoucherDigester({ chainId: 31337, verifyingContract: channels }).digest
    const account = privateKeyToAccount(key)
    const signer = privateKeySigner(key)
    const vouchers: Voucher[] = Array.from({ length: batch }, (_, i) => ({
      channelId: keccak256(toHex(`channel ${i % 7}`)),
      cumulativeAmount: BigInt(i + 1) * 2_000n,
      calls: BigInt(i + 1),
      termsHash: keccak256(toHex('terms')),
      envelopeHash: keccak256(toHex(`request ${i}`)),
    }))
    const signed = vouchers.map((v) => signer.signDigest(digest(v)) as Hex)
    ctx.log(`secp256k1 backend: ${secp256k1Backend}`)

    // Interleaved so both sides see the same machine load.
    const sign = { gotong: [] as number[], viem: [] as number[] }
    const verify = { gotong: [] as number[], viem: [] as number[] }
    for (let r = 0; r < runs; r++) {
      sign.gotong.push(
        await rate(batch, () => {
          for (const v of vouchers) signer.signDigest(digest(v))
        }),
      )
      sign.viem.push(
        await rate(viemBatch, async () => {
          for (const v of vouchers.slice(0, viemBatch))
            await account.signTypedData({
              domain,
              types: voucherTypes,
              primaryType: 'Voucher',
              message: v,
            })
        }),
      )
      verify.gotong.push(
        await rate(batch, () => {
          const payer = account.address.toLowerCase()
          vouchers.forEach((v, i) => {
            if (recoverSignerLowercase(digest(v), signed[i]!) !== payer) throw new Error('mismatch')
          })
        }),
      )
      verify.viem.push(
        await rate(viemBatch, async () => {
          for (let i = 0; i < viemBatch; i++)
            await recoverTypedDataAddress({
              domain,
              types: voucherTypes,
              primaryType: 'Voucher',
              message: vouchers[i]!,
              signature: signed[i]!,
            })
        }),
      )
    }
    const s1 = ctx.record({
      name: 'voucher sign, gotong (native, precomputed domain)',
      unit: 'ops/s',
      samples: sign.gotong,
    })
    const s2 = ctx.record({
      name: 'voucher sign, viem signTypedData',
      unit: 'ops/s',
      samples: sign.viem,
    })
    ctx.record({ name: 'sign speed-up over viem', unit: '×', samples: [s1.median / s2.median] })
    const v1 = ctx.record({
      name: 'voucher verify, gotong (native recover, precomputed domain)',
      unit: 'ops/s',
      samples: verify.gotong,
      target: { min: 10_000 },
    })
    const v2 = ctx.record({
      name: 'voucher verify, viem recoverTypedDataAddress',
      unit: 'ops/s',
      samples: verify.viem,
    })
    ctx.record({ name: 'verify speed-up over viem', unit: '×', samples: [v1.median / v2.median] })

    // Durable acceptance and gas need a chain.
    const devnet = await startDevnet({ accounts: 3 })
    const dir = mkdtempSync(join(tmpdir(), 'gotong-bench-payments-'))
    try {
      const { paymentChannels, gotongToken } = devnet.deployments!.contracts
      const [payerAccount, payeeAccount] = devnet.accounts as [
        (typeof devnet.accounts)[0],
        (typeof devnet.accounts)[0],
      ]
      const asPayer = createClients({
        rpcUrl: devnet.rpcUrl,
        chainId: devnet.chainId,
        privateKey: payerAccount.privateKey,
      })
      const asPayee = createClients({
        rpcUrl: devnet.rpcUrl,
        chainId: devnet.chainId,
        privateKey: payeeAccount.privateKey,
      })
      const publicClient = asPayer.publicClient
      const price = 2_000n
      const terms = (nonce: string) => {
        const agreement = {
          consumer: payerAccount.address,
          provider: payeeAccount.address,
          registry: devnet.deployments!.contracts.toolDirectory,
          toolId: 1n,
          manifestHash: zeroHash,
          token: gotongToken,
          pricePerCall: price,
          maxCalls: 0n,
          validUntil: 0n,
          p95LatencyMs: 0,
          callsPerMinute: 0,
          nonce: keccak256(toHex(nonce)),
        }
        return {
          agreement,
          termsHash: hashAgreement(
            agreement,
            gotongDomain({ chainId: devnet.chainId, verifyingContract: paymentChannels }),
          ),
        }
      }
      const open = async (deposit: bigint, nonce: string) => {
        const { agreement, termsHash } = terms(nonce)
        const opened = await openChannel(asPayer.walletClient!, publicClient, {
          channels: paymentChannels,
          payee: payeeAccount.address,
          token: gotongToken,
          deposit,
          challengePeriod: 60,
        })
        return { ...opened, agreement, termsHash }
      }
      const sides = (name: string, synchronous: 'full' | 'normal') => {
        const payer = createPayer({
          store: createSqlitePayerStore(join(dir, `${name}-payer.sqlite`), { synchronous }),
          signer: privateKeySigner(payerAccount.privateKey),
          chainId: devnet.chainId,
          channels: paymentChannels,
        })
        const payeeStore = createSqlitePayeeStore(join(dir, `${name}-payee.sqlite`), {
          synchronous,
        })
        const payee = createPayee({
          store: payeeStore,
          signer: privateKeySigner(payeeAccount.privateKey),
          chainId: devnet.chainId,
          channels: paymentChannels,
          readChannel: createChannelReader(publicClient, paymentChannels),
        })
        return { payer, payee, payeeStore }
      }

      for (const synchronous of ['full', 'normal'] as const) {
        const createRates: number[] = []
        const acceptRates: number[] = []
        for (let r = 0; r < runs; r++) {
          const { payer, payee } = sides(`${synchronous}-${r}`, synchronous)
          const ch = await open(BigInt(batch) * price, `${synchronous}-${r}`)
          payer.trackChannel({ key: ch.key, deposit: BigInt(batch) * price })
          await payee.acceptChannel({
            key: ch.key,
            agreement: ch.agreement,
            termsHash: ch.termsHash,
          })
          const issued: Awaited<ReturnType<typeof payer.createVoucher>>[] = []
          createRates.push(
            await rate(batch, async () => {
              for (let i = 0; i < batch; i++)
                issued.push(
                  await payer.createVoucher({
                    channelId: ch.channelId,
                    termsHash: ch.termsHash,
                    amount: price,
                  }),
                )
            }),
          )
          const wire = issued.map((x) =>
            JSON.parse(JSON.stringify(x.payment, (_k, v) => (typeof v === 'bigint' ? `${v}` : v))),
          )
          acceptRates.push(
            await rate(batch, async () => {
              for (const payment of wire) {
                const ticket = await payee.acceptVoucher(payment, { requestHash: zeroHash })
                await ticket.commit({ responseHash: zeroHash })
              }
            }),
          )
        }
        ctx.record({
          name: `payer createVoucher, durable (synchronous=${synchronous})`,
          unit: 'ops/s',
          samples: createRates,
          note: 'one commit per voucher: reserved, signed and recorded in one transaction',
        })
        ctx.record({
          name: `payee accept + commit + signed receipt, durable (synchronous=${synchronous})`,
          unit: 'ops/s',
          samples: acceptRates,
        })
      }

      // Gas per call: open, N vouchers off chain, one cooperative close.
      const sizes = ctx.quick ? [1, 10] : [1, 10, 100, 1_000]
      for (const n of sizes) {
        const { payer, payee, payeeStore } = sides(`gas-${n}`, 'normal')
        const ch = await open(BigInt(n) * price, `gas-${n}`)
        payer.trackChannel({ key: ch.key, deposit: BigInt(n) * price })
        await payee.acceptChannel({ key: ch.key, agreement: ch.agreement, termsHash: ch.termsHash })
        for (let i = 0; i < n; i++) {
          const issued = await payer.createVoucher({
            channelId: ch.channelId,
            termsHash: ch.termsHash,
            amount: price,
          })
          await (await payee.acceptVoucher(issued.payment)).commit({ responseHash: zeroHash })
        }
        const best = payeeStore.highestCommitted(ch.channelId)!
        const close = await claimChannel(asPayee.walletClient!, publicClient, {
          channels: paymentChannels,
          key: ch.key,
          voucher: best,
          signature: best.signature,
          close: true,
        })
        const [a, b] = await Promise.all([
          publicClient.getTransactionReceipt({ hash: ch.hash }),
          publicClient.getTransactionReceipt({ hash: close.hash }),
        ])
        const perCall = Number(a.gasUsed + b.gasUsed) / n
        ctx.record({
          name: `gas per call, ${n} call${n > 1 ? 's' : ''} (openWithPermit + cooperativeClose)`,
          unit: 'gas',
          samples: [perCall],
          ...(n === 1_000 ? { target: { max: 200 } } : {}),
        })
      }
    } finally {
      await devnet.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  },
}
