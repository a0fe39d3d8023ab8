import { appendFileSync, existsSync, readFileSync } from 'node:fs'
import { AddressSchema, Bytes32, bigintReplacer, SignedAgreement, Uint256 } from '@gotong/core'
import type { Budget } from '@gotong/payments'
import { z } from 'zod'
import type { ConsumerContext } from './consumerState.js'
import { getListing } from './getListing.js'
import type { Relationship } from './types.js'

/** One saved relationship: the newest line for a tool wins. */
export const SavedRelationship = z.object({
  toolId: Uint256,
  provider: AddressSchema,
  routeBase: z.string(),
  agreement: SignedAgreement,
  channelId: Bytes32,
})
export type SavedRelationship = z.output<typeof SavedRelationship>

/** The saved relationships, newest per tool; unreadable lines are skipped. */
export function loadRelationships(file: string | undefined): Map<string, SavedRelationship> {
  const found = new Map<string, SavedRelationship>()
  if (!file || !existsSync(file)) return found
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue
    try {
      const parsed = SavedRelationship.safeParse(JSON.parse(line))
      if (parsed.success) found.set(parsed.data.toolId.toString(), parsed.data)
    } catch {
      // A line cut short by a crash: the relationship is negotiated again.
    }
  }
  return found
}

/** Saves a relationship (in memory and, if configured, as a line of the relationships file). */
export function rememberRelationship(
  consumer: ConsumerContext,
  relationship: Relationship,
): Relationship {
  const { toolId, provider, routeBase, agreement, channelId } = relationship
  const line: SavedRelationship = { toolId, provider, routeBase, agreement, channelId }
  consumer.state.saved.set(toolId.toString(), line)
  if (consumer.relationshipsFile)
    appendFileSync(consumer.relationshipsFile, `${JSON.stringify(line, bigintReplacer)}\n`)
  return relationship
}

/**
 * A saved relationship still good to pay through: the agreement in force, the channel open
 * with room for a call, and the tool still listed by the same provider.
 */
export async function restoreRelationship(
  consumer: ConsumerContext,
  toolId: bigint,
  budget: Budget | undefined,
): Promise<Relationship | undefined> {
  const { payer, state } = consumer
  const line = state.saved.get(toolId.toString())
  if (!line) return undefined
  const { agreement } = line.agreement
  const channel = payer.getChannel(line.channelId)
  const inForce =
    agreement.validUntil === 0n ||
    agreement.validUntil > BigInt(Math.floor(consumer.clock() / 1000) + 60)
  if (!inForce || channel?.status !== 'open') return undefined
  if (channel.deposit - channel.cumulative < agreement.pricePerCall) return undefined
  // The agreement's own calls used up (a channel may carry others' too): agree anew.
  if (
    agreement.maxCalls > 0n &&
    channel.calls >= agreement.maxCalls &&
    BigInt(
      payer
        .vouchers(line.channelId)
        .filter(
          (v) => v.termsHash === line.agreement.termsHash.toLowerCase() && v.status !== 'failed',
        ).length,
    ) >= agreement.maxCalls
  )
    return undefined
  const listing = await getListing(consumer, toolId)
  if (listing.creator.toLowerCase() !== line.provider.toLowerCase()) return undefined
  consumer.peers.set(line.provider.toLowerCase(), new URL(listing.manifest!.endpoint).origin)
  const relationship: Relationship = { ...line, budget }
  state.restored.add(relationship)
  // Vouchers the earlier process signed and never heard back about go out first, with the
  // next calls under this agreement: nothing newer is signed past them by it.
  const terms = line.agreement.termsHash.toLowerCase()
  const left = payer
    .vouchers(line.channelId, 'issued')
    .filter((v) => v.signature !== undefined && v.termsHash === terms)
  if (left.length > 0)
    state.carried.set(line.channelId, [...(state.carried.get(line.channelId) ?? []), ...left])
  return relationship
}

/** Forgets a restored relationship the provider no longer honours, so the next call agrees anew. */
export function forgetRelationship(consumer: ConsumerContext, relationship: Relationship): void {
  const { state } = consumer
  const key = relationship.toolId.toString()
  state.restored.delete(relationship)
  state.saved.delete(key)
  state.relationships.delete(key)
}
