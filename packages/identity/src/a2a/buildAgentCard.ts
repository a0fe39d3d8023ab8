import type { AgentCard } from '@a2a-js/sdk'
import { toCaip10, toErc20Caip19 } from '@gotong/core'
import type { Address } from 'viem'
import type { z } from 'zod'
import {
  type A2aToolTerms,
  type GotongPaymentsParams,
  gotongPaymentsUri,
} from './gotongPayments.js'

/** One published tool as its skill and its terms. */
export type A2aSkillTool = z.input<typeof A2aToolTerms> & {
  description: string
  tags: readonly string[]
}

export type BuildAgentCardParameters = {
  name: string
  description?: string
  /** The agent's A2A JSON-RPC endpoint (absolute URL). */
  url: string
  /** The agent (payee) and the deployment its tools are paid on. */
  address: Address
  chainId: number
  registry: Address
  paymentChannels: Address
  token: Address
  tools: readonly A2aSkillTool[]
}

const json = ['application/json']

/**
 * An A2A v1.0 agent card for a gotong agent: its JSON-RPC interface, one skill per published
 * tool (id = tool id), and the gotong payments extension naming the registry, the tools' terms,
 * the PaymentChannels contract and the token. The extension is not `required`: a client that
 * does not know it still gets the terms, as an `input-required` task, when it calls a skill.
 *
 * @example const card = buildAgentCard({ name, url: `${base}/a2a`, address, chainId, registry, paymentChannels, token, tools })
 */
export function buildAgentCard(parameters: BuildAgentCardParameters): AgentCard {
  const { chainId, tools } = parameters
  const params: z.input<typeof GotongPaymentsParams> = {
    version: 1,
    registry: toCaip10(chainId, parameters.registry),
    paymentChannels: toCaip10(chainId, parameters.paymentChannels),
    token: toErc20Caip19(chainId, parameters.token),
    payee: toCaip10(chainId, parameters.address),
    tools: tools.map(({ description: _, tags: __, price, ...terms }) => ({
      ...terms,
      price: price.toString(),
    })),
  }
  return {
    name: parameters.name,
    description:
      parameters.description ??
      `A gotong agent serving ${tools.length} paid tool${tools.length === 1 ? '' : 's'} (${tools.map((t) => t.name).join(', ')}), paid per call through gotong payment channels.`,
    supportedInterfaces: [
      { url: parameters.url, protocolBinding: 'JSONRPC', protocolVersion: '1.0', tenant: '' },
    ],
    provider: undefined,
    version: '1.0.0',
    capabilities: {
      streaming: false,
      pushNotifications: false,
      extensions: [
        {
          uri: gotongPaymentsUri,
          description:
            'Tools paid per call with vouchers on gotong payment channels: a message with a data part { toolId, input, termsHash, payment } is a paid call; without payment the task is input-required with the terms.',
          required: false,
          params,
        },
      ],
    },
    securitySchemes: {},
    securityRequirements: [],
    defaultInputModes: json,
    defaultOutputModes: json,
    skills: tools.map((tool) => ({
      id: tool.toolId,
      name: tool.name,
      description: tool.description,
      tags: [...tool.tags],
      examples: [],
      inputModes: json,
      outputModes: json,
      securityRequirements: [],
    })),
    signatures: [],
  }
}
