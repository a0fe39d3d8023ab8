import { toValidationIssues } from '@gotong/core'
import type { Budget } from '@gotong/payments'
import { z } from 'zod'
import { type Amount, type BudgetOption, toBaseUnits, toBudget } from '../agent/amounts.js'
import { AgentError } from '../errors.js'
import type { Consumer } from './createConsumer.js'
import { failureOf } from './failureOf.js'
import { PaidTool } from './toLangChainTool.js'
import type { X402CallResult } from './types.js'

/** What `agent.x402Tool` needs to know of an x402 endpoint, and what its calls may cost. */
export type X402ToolOptions<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> = {
  /** The input: sent as the JSON body (`POST`) or as query parameters (`GET`). */
  input: I
  /** The output the endpoint answers; one that does not match is `OUTPUT_INVALID` (paid). */
  output: O
  /** The most one call may cost ("0.002" gUSD, or base units). */
  maxPrice: Amount
  /** What the model is told the tool does. */
  description?: string
  /** The LangChain tool's name; by default `x402_` and the URL's host and path. */
  name?: string
  method?: 'GET' | 'POST'
  /** What this tool's calls may spend in all, on top of the agent's own budget. */
  budget?: BudgetOption
}

/** Limits of one `pay`, on top of the tool's and the agent's. */
export type X402PayOptions = { maxPrice?: Amount; budget?: BudgetOption; signal?: AbortSignal }

/**
 * An x402 endpoint as a LangChain tool (for `agent.run`, answering `{"result"}` or
 * `{"error": {code, message}}` like directory tools) that can also be called directly: `pay`
 * makes one paid call and returns the typed output with the payment and its rail.
 */
export class X402Tool<
  I extends z.ZodType = z.ZodType,
  O extends z.ZodType = z.ZodType,
> extends PaidTool {
  /** The endpoint paid. */
  declare readonly url: string
  /** One paid call: the input checked first (`INPUT_INVALID`, nothing paid), the output after. */
  declare readonly pay: (
    input: z.input<I>,
    options?: X402PayOptions,
  ) => Promise<X402CallResult & { output: z.output<O> }>
}

/**
 * Makes an `X402Tool` paying through the agent's consumer: every call within `maxPrice`, the
 * tool's budget, the call's and the agent's own, signed only after all of them agree.
 *
 * @example
 * const weather = createX402Tool(consumer, 'https://api.example/weather', { input, output, maxPrice: '0.01' })
 * const { output, payment } = await weather.pay({ city: 'Jakarta' })
 */
export function createX402Tool<I extends z.ZodType, O extends z.ZodType>(
  consumer: Consumer,
  url: string,
  options: X402ToolOptions<I, O>,
): X402Tool<I, O> {
  const target = new URL(url)
  const maxPrice = toBaseUnits(options.maxPrice)
  const name = options.name ?? toolNameOf(target)
  const toolBudget = options.budget === undefined ? undefined : toBudget(options.budget, name)
  const pay = async (input: z.input<I>, call: X402PayOptions = {}) => {
    const parsed = options.input.safeParse(input)
    if (!parsed.success)
      throw new AgentError(
        'INPUT_INVALID',
        `The input does not match ${name}'s schema; nothing was paid.`,
        {
          data: { issues: toValidationIssues(parsed.error.issues) },
        },
      )
    const callMax = call.maxPrice === undefined ? maxPrice : toBaseUnits(call.maxPrice)
    const budgets: (Budget | undefined)[] = [
      toolBudget,
      call.budget === undefined ? undefined : toBudget(call.budget, `${name}/call`),
    ]
    const result = await consumer.callX402({
      url: target.toString(),
      input: parsed.data,
      method: options.method,
      tool: name,
      maxPrice: callMax < maxPrice ? callMax : maxPrice,
      budgets,
      railReason: 'an x402 URL: x402 is its only rail',
      signal: call.signal,
    })
    const output = options.output.safeParse(result.output)
    if (!output.success)
      throw new AgentError(
        'OUTPUT_INVALID',
        `${name} answered an output that does not match its schema (the call was paid).`,
        {
          data: { issues: toValidationIssues(output.error.issues), payment: result.payment },
        },
      )
    return { ...result, output: output.data as z.output<O> }
  }
  const { $schema: _, ...schema } = z.toJSONSchema(options.input, {
    io: 'input',
    unrepresentable: 'any',
  })
  const tool = new X402Tool({
    name,
    description: `${options.description ?? `The x402 endpoint ${target.toString()}.`} (paid over x402, at most ${options.maxPrice}${typeof options.maxPrice === 'string' ? ' gUSD' : ''} per call)`,
    schema,
    func: async (input: unknown) => {
      try {
        return JSON.stringify({ result: (await pay(input as z.input<I>)).output })
      } catch (error) {
        return JSON.stringify(failureOf(error))
      }
    },
  }) as X402Tool<I, O>
  Object.defineProperties(tool, { url: { value: target.toString() }, pay: { value: pay } })
  return tool
}

/** `x402_` and the URL's host and path, made safe for a tool name (at most 64 characters). */
function toolNameOf(url: URL): string {
  return `x402_${`${url.host}${url.pathname}`.toLowerCase().replace(/[^a-z0-9_-]+/g, '_')}`
    .replace(/_+$/, '')
    .slice(0, 64)
}
