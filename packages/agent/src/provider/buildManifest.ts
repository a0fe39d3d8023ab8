import {
  type GotongTerms,
  gotongChannelProtocol,
  gotongTermsKey,
  type ToolManifest,
  toCaip10,
  toErc20Caip19,
  toolModelKey,
} from '@gotong/core'
import { x402PricingEntry } from '@gotong/x402'
import type { Address } from 'viem'
import { z } from 'zod'
import type { Tool } from '../tool/defineTool.js'

export type BuildManifestParameters = {
  tool: Tool
  endpoint: string
  creator: Address
  chainId: number
  token: Address
  channels: Address
  price: bigint
  sla?: GotongTerms['sla']
  quota?: GotongTerms['quota']
  minDeposit?: bigint
  /** Promises equal answers to equal requests (`deterministic: true` in the terms). */
  deterministic?: boolean
  access?: ToolManifest['access']
  /** The tool's x402 face: listed as a second pricing entry (protocol `x402`, its `endpoint`). */
  x402?: { endpoint: string }
}

/**
 * The ERC-8257 manifest of a served tool: the tool's own JSON Schemas if it has them (else ones
 * generated from the zod schemas), its namespaced extensions, gotong's channel pricing entry
 * first (then the x402 entry, when it has an x402 face), its terms under `dev.gotong.terms` and
 * the model behind it, if it names one, under `dev.gotong.model`. An extension cannot replace a
 * standard field, gotong's terms or the model: those are written after it.
 *
 * @example const manifest = buildManifest({ tool, endpoint, creator, chainId, token, channels, price: 2_000n })
 */
export function buildManifest(parameters: BuildManifestParameters): ToolManifest {
  const { tool, chainId } = parameters
  const terms: GotongTerms = {
    version: 1,
    channels: toCaip10(chainId, parameters.channels),
    ...(parameters.sla ? { sla: parameters.sla } : {}),
    ...(parameters.quota ? { quota: parameters.quota } : {}),
    ...(parameters.minDeposit !== undefined
      ? { minDeposit: parameters.minDeposit.toString() }
      : {}),
    ...(parameters.deterministic ? { deterministic: true } : {}),
  }
  return {
    ...tool.extensions,
    type: 'https://ercs.ethereum.org/ERCS/erc-8257#tool-manifest-v1',
    name: tool.name,
    description: tool.description,
    endpoint: parameters.endpoint,
    inputs: tool.jsonSchema?.input ?? jsonSchemaOf(tool.input),
    outputs: tool.jsonSchema?.output ?? jsonSchemaOf(tool.output),
    version: tool.version,
    ...(tool.tags.length ? { tags: [...tool.tags] } : {}),
    pricing: [
      {
        amount: parameters.price.toString(),
        asset: toErc20Caip19(chainId, parameters.token),
        recipient: toCaip10(chainId, parameters.creator),
        protocol: gotongChannelProtocol,
      },
      ...(parameters.x402
        ? [
            x402PricingEntry({
              amount: parameters.price,
              chainId,
              asset: parameters.token,
              recipient: parameters.creator,
              endpoint: parameters.x402.endpoint,
            }),
          ]
        : []),
    ],
    ...(parameters.access ? { access: parameters.access } : {}),
    creatorAddress: parameters.creator.toLowerCase(),
    [gotongTermsKey]: terms,
    ...(tool.model ? { [toolModelKey]: { ...tool.model } } : {}),
  } as ToolManifest
}

function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _, ...json } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, unknown>
  return json
}
