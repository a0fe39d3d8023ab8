import { join } from 'node:path'
import { type Deployments, gotongTokenDecimals } from '@gotong/chain'
import { formatAmount } from '@gotong/core'
import type { Budget, DigestSigner } from '@gotong/payments'
import { createSqlitePayeeStore, createSqlitePayerStore } from '@gotong/payments/node'
import { createChannelReader, createPayee, createSettler } from '@gotong/payments/payee'
import { type ChannelWallet, createPayer } from '@gotong/payments/payer'
import { createPgAgreementStore, createPgPayeeStore } from '@gotong/payments/pg'
import { createSqliteX402Ledger } from '@gotong/x402/node'
import type { PublicClient } from 'viem'
import type { CreateAgentParameters } from './types.js'

export type OpenPaymentsParameters = {
  parameters: CreateAgentParameters
  /** The agent's budget: every voucher it signs is held against it. */
  budget: Budget | undefined
  store: string
  signer: DigestSigner
  contracts: Deployments['contracts']
  publicClient: PublicClient
  wallet: ChannelWallet
  now: () => number
}

/**
 * An agent's durable payment state, recovered from its store: the payer (vouchers it signs),
 * the payee (vouchers it accepts: in `payee.sqlite`, or with `ledger: { url }` in PostgreSQL,
 * shared by the replicas of this provider with their agreements and negotiations), the settler
 * that claims them, and the x402 ledger
 * (calls paid and earned over x402, one transfer each).
 */
export async function openPayments({
  parameters,
  budget,
  store,
  signer,
  contracts,
  publicClient,
  wallet,
  now,
}: OpenPaymentsParameters) {
  const { chainId } = parameters.network
  const storeOptions = {
    synchronous: parameters.durability === 'process' ? ('normal' as const) : ('full' as const),
  }
  const payerStore = createSqlitePayerStore(join(store, 'payer.sqlite'), storeOptions)
  const payer = createPayer({
    store: payerStore,
    signer,
    chainId,
    channels: contracts.paymentChannels,
    ...(budget ? { budget } : {}),
    now,
  })
  payer.recover()
  // Replicas of one provider share one ledger: one schema per payee key on the server.
  const schema = parameters.ledger?.schema ?? `payee_${signer.address.slice(2).toLowerCase()}`
  const payeeStore = parameters.ledger
    ? await createPgPayeeStore({ url: parameters.ledger.url, schema })
    : createSqlitePayeeStore(join(store, 'payee.sqlite'), storeOptions)
  // Beside the vouchers: agreements and negotiations any replica may be asked about.
  const agreementStore = parameters.ledger
    ? await createPgAgreementStore({ url: parameters.ledger.url, schema })
    : undefined
  const payee = createPayee({
    store: payeeStore,
    signer,
    chainId,
    channels: contracts.paymentChannels,
    readChannel: createChannelReader(publicClient, contracts.paymentChannels),
    now,
  })
  await payee.recover()
  const settler = createSettler({
    payee,
    store: payeeStore,
    wallet,
    publicClient,
    channels: contracts.paymentChannels,
    ...(parameters.claimPolicy ? { policy: parameters.claimPolicy } : {}),
    now,
    formatAmount: (amount) => `${formatAmount(amount, gotongTokenDecimals)} gUSD`,
  })
  const x402Ledger = createSqliteX402Ledger(join(store, 'x402.sqlite'), storeOptions)
  return { payerStore, payer, payeeStore, payee, settler, x402Ledger, agreementStore }
}
