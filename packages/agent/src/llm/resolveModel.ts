import type { BaseChatModel } from '@langchain/core/language_models/chat_models'
import { ChatOpenAI } from '@langchain/openai'
import { AgentError } from '../errors.js'

/** Where an agent's model came from, for the first line of its output. */
export type ModelSource = 'given' | 'openai' | 'openai-compatible' | 'none'

/**
 * The agent's chat model: the one passed in, else `ChatOpenAI` when `OPENAI_API_KEY` or
 * `OPENAI_BASE_URL` is set (`OPENAI_MODEL`, default `gpt-4o-mini`), else none.
 *
 * @example const { model, source } = resolveModel(undefined, process.env)
 */
export function resolveModel(
  given: BaseChatModel | undefined,
  env: Record<string, string | undefined> = process.env,
): { model: BaseChatModel | undefined; source: ModelSource } {
  if (given) return { model: given, source: 'given' }
  const apiKey = env.OPENAI_API_KEY
  const baseURL = env.OPENAI_BASE_URL
  if (!apiKey && !baseURL) return { model: undefined, source: 'none' }
  const model = new ChatOpenAI({
    model: env.OPENAI_MODEL ?? 'gpt-4o-mini',
    // A local OpenAI-compatible server still needs some key string.
    apiKey: apiKey ?? 'not-needed',
    ...(baseURL ? { configuration: { baseURL } } : {}),
    maxRetries: 1,
  })
  return { model, source: baseURL ? 'openai-compatible' : 'openai' }
}

/** The error `agent.run` throws without a model. */
export function noModelError(): AgentError {
  return new AgentError(
    'LLM_NOT_CONFIGURED',
    'This agent has no language model: pass `llm` to createAgent, or set OPENAI_API_KEY (or OPENAI_BASE_URL for an OpenAI-compatible server).',
  )
}
