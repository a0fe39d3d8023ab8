import { describe, expect, test } from 'vitest'
import { formatToolRef, parseToolRef } from './toolRef.js'
import { wellKnownManifestUri } from './wellKnownManifestUri.js'

const registry = '0x5FbDB2315678afecb367f032d93F642f64180aa3'

describe('tool references', () => {
  test('the canonical ERC-8257 id round-trips', () => {
    const ref = formatToolRef(31337, registry, 7n)
    expect(ref).toBe('eip155:31337/erc8257:0x5fbdb2315678afecb367f032d93f642f64180aa3/7')
    expect(parseToolRef(ref)).toEqual({ chainId: 31337, registry, toolId: 7n })
  })

  test('a bare id parses; anything else names the rule', () => {
    expect(parseToolRef('42')).toEqual({ chainId: undefined, registry: undefined, toolId: 42n })
    for (const bad of ['0', '-1', 'seven', 'eip155:1/erc20:0x00/1'])
      expect(() => parseToolRef(bad)).toThrow(
        expect.objectContaining({ rules: ['invalid_tool_ref'] }),
      )
  })

  test('the well-known manifest URI sits on the endpoint origin', () => {
    expect(
      wellKnownManifestUri({
        name: 'Wêather — Now!',
        endpoint: 'https://a.example:8443/api/x?y=1',
      }),
    ).toBe('https://a.example:8443/.well-known/ai-tool/weather-now.json')
    expect(wellKnownManifestUri({ name: '天気', endpoint: 'https://a.example' })).toBe(
      'https://a.example/.well-known/ai-tool/tool.json',
    )
  })
})
