import {
  gotongTermsKey,
  InvalidManifestError,
  manifestHash,
  parseToolManifest,
  toolModelKey,
} from '@gotong/core'
import { describe, expect, test } from 'vitest'
import { z } from 'zod'
import { defineTool } from '../tool/defineTool.js'
import { buildManifest } from './buildManifest.js'

const where = {
  endpoint: 'http://127.0.0.1:8545/tools/echo',
  creator: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8',
  chainId: 31337,
  token: '0x5fbdb2315678afecb367f032d93f642f64180aa3',
  channels: '0xe7f1725e7734ce288f8367e1bb143e90bb3f0512',
  price: 2_000n,
} as const

const echo = defineTool({
  name: 'echo',
  description: 'Echoes back the input string',
  input: z.object({ message: z.string() }),
  output: z.object({ text: z.string() }),
  handler: ({ message }) => ({ text: message }),
})

// As an MCP server lists it: draft-07, a description the zod schema does not carry.
const mcpInput = {
  type: 'object',
  properties: { message: { type: 'string', description: 'Message to echo' } },
  required: ['message'],
  $schema: 'http://json-schema.org/draft-07/schema#',
}

describe('buildManifest', () => {
  test("publishes the tool's own JSON Schemas, not a zod round-trip of them", () => {
    const manifest = buildManifest({
      ...where,
      tool: defineTool({ ...echo, jsonSchema: { input: mcpInput } }),
    })
    expect(manifest.inputs).toEqual(mcpInput)
    // Without its own output schema, the zod one is generated as before.
    expect(manifest.outputs).toEqual(buildManifest({ ...where, tool: echo }).outputs)
  })

  test('extensions are kept by the parser and covered by the manifest hash', () => {
    const tagged = (toolHash: string) =>
      buildManifest({
        ...where,
        tool: defineTool({ ...echo, extensions: { 'dev.gotong.mcp': { toolHash } } }),
      })
    const one = tagged(`0x${'11'.repeat(32)}`)
    const parsed = parseToolManifest(one, { chainId: 31337, gotong: true })
    expect(parsed['dev.gotong.mcp']).toEqual({ toolHash: `0x${'11'.repeat(32)}` })
    expect(manifestHash(one)).not.toBe(manifestHash(tagged(`0x${'22'.repeat(32)}`)))
  })

  test("an extension cannot replace a standard field or gotong's terms", () => {
    const manifest = buildManifest({
      ...where,
      tool: defineTool({
        ...echo,
        extensions: { [gotongTermsKey]: { version: 1, channels: 'forged' } },
      }),
    })
    expect(manifest[gotongTermsKey]).toMatchObject({
      channels: `eip155:31337:${where.channels}`,
    })
  })

  test('the model behind a tool is published under dev.gotong.model, and a new one changes the hash', () => {
    const model = { provider: 'openai', id: 'gpt-4o-mini', version: '2024-07-18' }
    const manifest = buildManifest({ ...where, tool: defineTool({ ...echo, model }) })
    const parsed = parseToolManifest(manifest, { chainId: 31337, gotong: true })
    expect(parsed[toolModelKey]).toEqual(model)
    expect('dev.gotong.model' in buildManifest({ ...where, tool: echo })).toBe(false)
    const newer = buildManifest({
      ...where,
      tool: defineTool({ ...echo, model: { ...model, version: '2025-04-14' } }),
    })
    expect(manifestHash(newer)).not.toBe(manifestHash(manifest))
  })

  test('a malformed model is refused when the manifest is parsed, naming the field', () => {
    const manifest = buildManifest({
      ...where,
      tool: defineTool({ ...echo, model: { provider: 'OpenAI', id: 'gpt-4o-mini' } }),
    })
    const error = (() => {
      try {
        return parseToolManifest(manifest, { chainId: 31337, gotong: true })
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(InvalidManifestError)
    expect((error as InvalidManifestError).issues).toMatchObject([
      { rule: 'model_provider_grammar', path: 'dev.gotong.model.provider' },
    ])
  })
})
