import { describe, expect, test } from 'vitest'
import {
  describeManifestChanges,
  formatToolModel,
  InvalidManifestError,
  manifestChanges,
  manifestHash,
  parseToolManifest,
  toolModelOf,
} from '../src/index.js'
import { devnetTool, freeTool } from './fixtures.js'

const gpt = { provider: 'openai', id: 'gpt-4o-mini', version: '2024-07-18' }
const llama = {
  provider: 'meta',
  id: 'meta-llama/Llama-3.1-8B-Instruct',
  version: 'q4_K_M',
  digest: `sha256:${'ab'.repeat(32)}`,
}
const withModel = (model: unknown) => ({ ...freeTool, 'dev.gotong.model': model })

/** The [rule, path] of each issue a manifest is rejected with, or [] when it is accepted. */
function issuesOf(input: unknown): [string, string][] {
  try {
    parseToolManifest(input)
    return []
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidManifestError)
    return (error as InvalidManifestError).issues.map((i) => [i.rule, i.path])
  }
}

describe('dev.gotong.model in a manifest', () => {
  test.each([
    ['an API model and its snapshot', gpt],
    ['open weights and their sha256', llama],
    ['an API snapshot fingerprint as the digest', { ...gpt, digest: 'openai-fp:fp_44709d6fcb' }],
    ['only provider and id', { provider: 'ollama', id: 'llama3.1:8b' }],
    ['a field a later format adds', { ...gpt, quantization: 'none' }],
  ])('accepted: %s', (_name, model) => {
    const manifest = parseToolManifest(withModel(model))
    expect(toolModelOf(manifest)).toEqual(model)
  })

  test.each([
    ['not an object', 'gpt-4o', [['invalid_type', 'dev.gotong.model']]],
    ['no provider', { id: 'gpt-4o' }, [['required', 'dev.gotong.model.provider']]],
    ['no id', { provider: 'openai' }, [['required', 'dev.gotong.model.id']]],
    [
      'an uppercase provider',
      { ...gpt, provider: 'OpenAI' },
      [['model_provider_grammar', 'dev.gotong.model.provider']],
    ],
    ['an empty id', { ...gpt, id: '' }, [['model_id_grammar', 'dev.gotong.model.id']]],
    ['an id with a space', { ...gpt, id: 'gpt 4o' }, [['model_id_grammar', 'dev.gotong.model.id']]],
    [
      'a version with a newline',
      { ...gpt, version: '2024\n07' },
      [['model_version_grammar', 'dev.gotong.model.version']],
    ],
    ['an id of 257 bytes', { ...gpt, id: 'x'.repeat(257) }, [['too_long', 'dev.gotong.model.id']]],
    [
      'a digest without an algorithm',
      { ...gpt, digest: 'ab'.repeat(32) },
      [['model_digest_grammar', 'dev.gotong.model.digest']],
    ],
    [
      'a short sha256',
      { ...gpt, digest: 'sha256:abcd' },
      [['model_digest_length', 'dev.gotong.model.digest']],
    ],
    [
      'an uppercase sha256',
      { ...gpt, digest: `sha256:${'AB'.repeat(32)}` },
      [['uppercase_hex', 'dev.gotong.model.digest']],
    ],
  ])('refused: %s', (_name, model, issues) => {
    expect(issuesOf(withModel(model))).toEqual(issues)
  })

  test('the model is part of the manifest hash: a changed model is a changed manifest', () => {
    const hashes = [
      manifestHash(freeTool),
      manifestHash(withModel(gpt)),
      manifestHash(withModel({ ...gpt, version: '2024-08-06' })),
      manifestHash(withModel({ ...gpt, digest: 'openai-fp:fp_44709d6fcb' })),
    ]
    expect(new Set(hashes).size).toBe(4)
  })

  test('a model is written in one line', () => {
    expect([formatToolModel(gpt), formatToolModel(llama), formatToolModel(undefined)]).toEqual([
      'openai/gpt-4o-mini@2024-07-18',
      `meta/meta-llama/Llama-3.1-8B-Instruct@q4_K_M (sha256:${'ab'.repeat(32)})`,
      'none',
    ])
  })
})

describe('manifestChanges', () => {
  test('a new model snapshot is a model change, with both models', () => {
    const after = { ...gpt, version: '2024-08-06' }
    expect(manifestChanges(withModel(gpt), withModel(after))).toEqual({
      changed: ['model'],
      model: { before: gpt, after },
    })
  })

  test('changes in one line, the model spelled out', () => {
    const after = { ...gpt, version: '2024-08-06' }
    const changes = manifestChanges(withModel(gpt), {
      ...withModel(after),
      description: 'Another description.',
    })
    expect(describeManifestChanges(changes)).toBe(
      'description, model openai/gpt-4o-mini@2024-07-18 → openai/gpt-4o-mini@2024-08-06',
    )
    expect(describeManifestChanges(manifestChanges(freeTool, freeTool))).toBe('no change')
  })

  test('a model named for the first time, and one removed', () => {
    expect(manifestChanges(freeTool, withModel(gpt))).toEqual({
      changed: ['model'],
      model: { before: undefined, after: gpt },
    })
    expect(manifestChanges(withModel(gpt), freeTool).model).toEqual({
      before: gpt,
      after: undefined,
    })
  })

  test('standard parts first, terms and model by their short names, a move as endpoint', () => {
    const before = { ...devnetTool, 'dev.gotong.model': gpt }
    const after = {
      ...devnetTool,
      description: 'Another description.',
      endpoint: 'http://127.0.0.1:9999/tools/x',
      'dev.gotong.terms': { ...devnetTool['dev.gotong.terms'], minDeposit: '1' },
      'dev.example.origin': { url: 'https://example.com' },
      'dev.gotong.model': llama,
    }
    expect(manifestChanges(before, after).changed).toEqual([
      'description',
      'endpoint',
      'dev.example.origin',
      'model',
      'terms',
    ])
  })

  test('the same manifest has no changes, whatever its key order', () => {
    const reordered = Object.fromEntries(Object.entries(withModel(gpt)).reverse())
    expect(manifestChanges(withModel(gpt), reordered)).toEqual({ changed: [] })
  })
})
