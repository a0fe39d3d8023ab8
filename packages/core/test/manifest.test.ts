import { describe, expect, test } from 'vitest'
import {
  canonicalJson,
  InvalidManifestError,
  manifestHash,
  parseToolManifest,
  toToolRef,
} from '../src/index.js'
import {
  accessExample,
  devnetTool,
  e2eeVerifiability,
  freeTool,
  paidTool,
  teeVerifiability,
} from './fixtures.js'

const encoder = new TextEncoder()

/** The rule codes a manifest is rejected with, or [] when it is accepted. */
function rulesOf(input: unknown, options: Parameters<typeof parseToolManifest>[1] = {}): string[] {
  try {
    parseToolManifest(input, options)
    return []
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidManifestError)
    expect((error as InvalidManifestError).code).toBe('MANIFEST_INVALID')
    return (error as InvalidManifestError).rules
  }
}

const withField = (field: string, value: unknown) => ({ ...freeTool, [field]: value })
const withPricing = (entry: Record<string, unknown>) => ({
  ...paidTool,
  pricing: [{ ...paidTool.pricing[0], ...entry }],
})
const withRequirement = (req: Record<string, unknown>) => ({
  ...freeTool,
  access: { logic: 'AND', requirements: [{ ...accessExample.requirements[0], ...req }] },
})

describe('ERC-8257 test vectors', () => {
  test('free-tool manifest: canonical bytes and manifestHash', () => {
    const canonical = canonicalJson(freeTool)
    expect(encoder.encode(canonical).length).toBe(632)
    expect(canonical).toBe(
      '{"creatorAddress":"0xabcdefabcdef1234567890abcdefabcdef123456","description":"Returns estimated floor price for any NFT collection.","endpoint":"https://tools.example.com/nft-price-oracle","inputs":{"properties":{"chainId":{"type":"integer"},"collection":{"description":"Contract address","type":"string"}},"required":["collection","chainId"],"type":"object"},"name":"nft-price-oracle","outputs":{"properties":{"floorPriceEth":{"type":"string"},"updatedAt":{"format":"date-time","type":"string"}},"type":"object"},"tags":["nft","pricing","oracle"],"type":"https://ercs.ethereum.org/ERCS/erc-8257#tool-manifest-v1","version":"1.0.0"}',
    )
    expect(manifestHash(freeTool)).toBe(
      '0x786620b1a5d903c2ac4eafe964364292ca4b6ed763a13b29423c03ccca905af0',
    )
  })

  test('paid-tool manifest: canonical length and manifestHash', () => {
    expect(encoder.encode(canonicalJson(paidTool)).length).toBe(922)
    expect(manifestHash(paidTool)).toBe(
      '0xa71ef83ee66b702edb44f121510f8969e353df40b1e1587f8288fe6d352b448b',
    )
  })

  test('NFC vs NFD: same rendering, different bytes; the NFD form is rejected', () => {
    const make = (name: string) => ({
      type: 'https://ercs.ethereum.org/ERCS/erc-8257#tool-manifest-v1',
      name,
      description: 'NFC/NFD divergence sample.',
      endpoint: 'https://tools.example.com/cafe',
      inputs: {},
      outputs: {},
      creatorAddress: '0x0000000000000000000000000000000000000001',
    })
    const nfc = make('café-oracle'.normalize('NFC'))
    const nfd = make('café-oracle'.normalize('NFD'))
    expect(encoder.encode(canonicalJson(nfc)).length).toBe(263)
    expect(encoder.encode(canonicalJson(nfd)).length).toBe(264)
    expect(manifestHash(nfc)).not.toBe(canonicalJson(nfd))
    expect(rulesOf(nfc)).toEqual([])
    expect(rulesOf(nfd)).toEqual(['not_nfc'])
  })

  test('BOM vs no BOM: the served bytes with a BOM are rejected, not stripped', () => {
    const sample = {
      type: 'https://ercs.ethereum.org/ERCS/erc-8257#tool-manifest-v1',
      name: 'bom-sample',
      description: 'Byte-order-mark divergence sample.',
      endpoint: 'https://tools.example.com/bom',
      inputs: {},
      outputs: {},
      creatorAddress: '0x0000000000000000000000000000000000000002',
    }
    const clean = encoder.encode(canonicalJson(sample))
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...clean])
    expect(clean.length).toBe(268)
    expect(withBom.length).toBe(271)
    expect(parseToolManifest(clean)).toEqual(sample)
    expect(rulesOf(withBom)).toEqual(['bom'])
    expect(rulesOf(`\uFEFF${canonicalJson(sample)}`)).toEqual(['bom'])
  })

  test('canonical CAIP-19 tool reference', () => {
    expect(toToolRef(8453, '0xAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 1n)).toBe(
      'eip155:8453/erc8257:0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/1',
    )
  })
})

describe('manifest hash', () => {
  test('is stable under any key order', () => {
    const reversed = Object.fromEntries(Object.entries(paidTool).reverse())
    const shuffled = JSON.parse(JSON.stringify(paidTool, Object.keys(paidTool).sort().reverse()))
    expect(manifestHash(reversed)).toBe(manifestHash(paidTool))
    expect(manifestHash(JSON.stringify(reversed, null, 2))).toBe(manifestHash(paidTool))
    expect(Object.keys(shuffled)).not.toEqual(Object.keys(paidTool))
  })

  test('changes with any value change, including extensions and nested schemas', () => {
    const base = manifestHash(paidTool)
    const variants = [
      { ...paidTool, version: '1.0.1' },
      { ...paidTool, description: `${paidTool.description} ` },
      withPricing({ amount: '20001' }),
      { ...paidTool, inputs: { ...paidTool.inputs, required: [] } },
      { ...paidTool, 'io.example.hint': true },
      { ...paidTool, tags: ['portfolio', 'analytics'] },
    ]
    const hashes = new Set(variants.map((v) => manifestHash(v)))
    expect(hashes.size).toBe(variants.length)
    expect(hashes.has(base)).toBe(false)
  })

  test('keeps unknown top-level extension fields exactly as given', () => {
    const extended = { ...freeTool, 'io.opensea.paymentHint': { a: 1 }, 'x-legacy': 'y' }
    expect(parseToolManifest(extended)).toEqual(extended)
  })
})

describe('accepts every ERC-8257 example', () => {
  test.each([
    ['free tool', freeTool],
    ['paid tool (multi-chain pricing)', paidTool],
    ['access hints', { ...freeTool, access: accessExample }],
    [
      'self-attested verifiability',
      {
        ...freeTool,
        verifiability: {
          tier: 'self-attested',
          execution: 'standard',
          dataRetention: 'metadata-only',
        },
      },
    ],
    ['TEE verifiability', { ...freeTool, verifiability: teeVerifiability }],
    ['E2EE verifiability', { ...freeTool, verifiability: e2eeVerifiability }],
    [
      'native ETH pricing',
      withPricing({
        amount: '1000000000000000',
        asset: 'eip155:1/slip44:60',
        recipient: 'eip155:1:0xabcdef0123456789abcdef0123456789abcdef01',
        protocol: 'native-transfer',
      }),
    ],
    ['zero amount', withPricing({ amount: '0' })],
    ['max uint256 amount', withPricing({ amount: (2n ** 256n - 1n).toString() })],
    ['empty schemas', { ...freeTool, inputs: {}, outputs: {} }],
    ['description with newlines and tabs', withField('description', 'Line one\n\tLine two\r\n')],
    ['unicode name in NFC', withField('name', 'Ωmega—오라클')],
    ['endpoint with path, query and fragment', withField('endpoint', 'https://a.example/x?y=1#z')],
    ['endpoint on a non-default port', withField('endpoint', 'https://a.example:8443/x')],
    [
      '16 tags',
      withField(
        'tags',
        Array.from({ length: 16 }, (_, i) => `t${i}`),
      ),
    ],
  ])('%s', (_name, manifest) => {
    expect(rulesOf(manifest)).toEqual([])
  })
})

describe('rejects each rule violation with its code', () => {
  const { name: _n, ...noName } = freeTool
  test.each([
    ['missing required field', noName, 'required'],
    ['unknown type', withField('type', 'https://example.com/manifest-v2'), 'unknown_type'],
    ['empty name', withField('name', ''), 'too_short'],
    ['name of 129 code points', withField('name', 'a'.repeat(129)), 'too_long'],
    ['control character in name', withField('name', 'bad\nname'), 'control_character'],
    ['NUL in description', withField('description', 'a\u0000b'), 'control_character'],
    ['description of 501 code points', withField('description', 'é'.repeat(501)), 'too_long'],
    ['NFD string', withField('description', 'cafe\u0301'), 'not_nfc'],
    ['NFD deep inside the input schema', withField('inputs', { title: 'cafe\u0301' }), 'not_nfc'],
    ['lone surrogate', withField('description', 'a\ud800b'), 'invalid_unicode'],
    [
      'checksummed creatorAddress',
      withField('creatorAddress', '0xABCDEFabcdef1234567890abcdefabcdef123456'),
      'uppercase_hex',
    ],
    ['short creatorAddress', withField('creatorAddress', '0x1234'), 'invalid_address'],
    ['zero creatorAddress', withField('creatorAddress', `0x${'0'.repeat(40)}`), 'zero_address'],
    ['http endpoint', withField('endpoint', 'http://tools.example.com/x'), 'not_https'],
    ['javascript endpoint', withField('endpoint', 'javascript:alert(1)'), 'invalid_url'],
    ['uppercase host', withField('endpoint', 'https://Tools.Example.com/x'), 'url_not_normalized'],
    [
      'uppercase scheme',
      withField('endpoint', 'HTTPS://tools.example.com/x'),
      'url_not_normalized',
    ],
    [
      'explicit :443',
      withField('endpoint', 'https://tools.example.com:443/x'),
      'url_not_normalized',
    ],
    ['U-label host', withField('endpoint', 'https://bücher.example/x'), 'idn_not_ace'],
    ['bad semver', withField('version', 'v1'), 'invalid_version'],
    ['uppercase tag', withField('tags', ['NFT']), 'tag_grammar'],
    ['tag with trailing hyphen', withField('tags', ['nft-']), 'tag_grammar'],
    ['tag of 33 characters', withField('tags', ['a'.repeat(33)]), 'too_long'],
    [
      '17 tags',
      withField(
        'tags',
        Array.from({ length: 17 }, (_, i) => `t${i}`),
      ),
      'too_many_tags',
    ],
    ['duplicate tags', withField('tags', ['nft', 'nft']), 'duplicate_tag'],
    ['null pricing', withField('pricing', null), 'invalid_type'],
    ['empty pricing', withField('pricing', []), 'empty_pricing'],
    [
      '33 pricing entries',
      { ...paidTool, pricing: Array(33).fill(paidTool.pricing[0]) },
      'too_long',
    ],
    ['amount with leading zero', withPricing({ amount: '020000' }), 'amount_grammar'],
    ['negative amount', withPricing({ amount: '-1' }), 'amount_grammar'],
    ['decimal amount', withPricing({ amount: '0.5' }), 'amount_grammar'],
    ['amount above uint256', withPricing({ amount: (2n ** 256n).toString() }), 'amount_range'],
    ['79-digit amount', withPricing({ amount: '1'.repeat(79) }), 'amount_range'],
    [
      'checksummed asset',
      withPricing({ asset: 'eip155:8453/erc20:0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913' }),
      'uppercase_hex',
    ],
    ['malformed asset', withPricing({ asset: 'usdc' }), 'invalid_caip'],
    [
      'zero recipient',
      withPricing({ recipient: `eip155:8453:0x${'0'.repeat(40)}` }),
      'zero_address',
    ],
    [
      'asset and recipient on different chains',
      withPricing({ recipient: 'eip155:1:0xabcdef0123456789abcdef0123456789abcdef01' }),
      'chain_mismatch',
    ],
    ['missing protocol', withPricing({ protocol: undefined }), 'required'],
    [
      'empty access requirements',
      withField('access', { logic: 'AND', requirements: [] }),
      'empty_requirements',
    ],
    ['access without requirements', withField('access', { logic: 'AND' }), 'required'],
    ['bad access logic', withField('access', { ...accessExample, logic: 'XOR' }), 'invalid_value'],
    ['uppercase kind', withRequirement({ kind: '0xABCD1234' }), 'uppercase_hex'],
    ['5-byte kind', withRequirement({ kind: '0xabcd123456' }), 'invalid_hex'],
    ['odd-length data', withRequirement({ data: '0xabc' }), 'invalid_hex'],
    ['data over 4096 bytes', withRequirement({ data: `0x${'00'.repeat(4097)}` }), 'too_long'],
    ['label over 256 bytes', withRequirement({ label: 'é'.repeat(129) }), 'too_long'],
    ['http link', withRequirement({ links: { buy: 'http://shop.example' } }), 'not_https'],
    [
      'unknown trust tier',
      withField('verifiability', { tier: 'trusted', execution: 'standard' }),
      'invalid_value',
    ],
    [
      'uppercase enclave hash',
      withField('verifiability', {
        ...teeVerifiability,
        attestation: { type: 'nitro', enclaveHash: '0xABCD' },
      }),
      'uppercase_hex',
    ],
    ['schema deeper than 16', withField('inputs', nest(17)), 'schema_too_deep'],
    ['schemas over 1,024 nodes', withField('inputs', wide(1024)), 'schema_too_large'],
  ])('%s → %s', (_name, manifest, rule) => {
    expect(rulesOf(manifest)).toContain(rule)
  })

  test('bytes: invalid UTF-8, not JSON, over 1 MiB', () => {
    expect(rulesOf(new Uint8Array([0x7b, 0xff, 0x7d]))).toEqual(['invalid_utf8'])
    expect(rulesOf('{"name": ')).toEqual(['invalid_json'])
    expect(rulesOf(new Uint8Array(1_048_577).fill(0x20))).toEqual(['too_large'])
  })

  test('the error says which rule, where, and why', () => {
    expect(() => parseToolManifest(withField('tags', ['NFT']))).toThrowErrorMatchingInlineSnapshot(
      `[InvalidManifestError: Invalid tool manifest: tags.0: must be lowercase letters, digits and inner hyphens [tag_grammar]]`,
    )
  })
})

describe('loopback endpoints', () => {
  const loopback = withField('endpoint', 'http://127.0.0.1:8545/tool')

  test('are accepted on a local devnet chain only', () => {
    expect(rulesOf(loopback, { chainId: 31337 })).toEqual([])
    expect(rulesOf(withField('endpoint', 'http://localhost:3000/x'), { chainId: 1337 })).toEqual([])
    expect(rulesOf(loopback, { chainId: 8453 })).toEqual(['not_https'])
    expect(rulesOf(withField('endpoint', 'http://10.0.0.1/x'), { chainId: 31337 })).toEqual([
      'not_https',
    ])
  })

  test('the error explains the devnet relaxation when it could apply', () => {
    expect(() => parseToolManifest(loopback, { chainId: 8453 })).toThrowErrorMatchingInlineSnapshot(
      `[InvalidManifestError: Invalid tool manifest: endpoint: must be https://; http:// is accepted only for a loopback host on a local devnet chain (31337, 1337), and this manifest is for chain 8453 [not_https]]`,
    )
  })

  test('the chain comes from the pricing entry when no context is given', () => {
    expect(rulesOf(devnetTool)).toEqual([])
  })
})

describe('gotong manifests', () => {
  test('a devnet tool with gotong terms is accepted', () => {
    const manifest = parseToolManifest(devnetTool, { gotong: true })
    expect(manifest['dev.gotong.terms'].sla?.p95LatencyMs).toBe(250)
  })

  test.each([
    [
      'no gotong pricing entry first',
      { ...devnetTool, pricing: paidTool.pricing },
      'gotong_pricing_first',
    ],
    ['no terms', { ...devnetTool, 'dev.gotong.terms': undefined }, 'gotong_terms_missing'],
    [
      'unknown key in terms',
      { ...devnetTool, 'dev.gotong.terms': { ...devnetTool['dev.gotong.terms'], tip: 1 } },
      'unknown_field',
    ],
    [
      'channels on another chain',
      {
        ...devnetTool,
        'dev.gotong.terms': {
          version: 1,
          channels: 'eip155:1:0xe7f1725e7734ce288f8367e1bb143e90bb3f0512',
        },
      },
      'chain_mismatch',
    ],
  ])('%s → %s', (_name, manifest, rule) => {
    expect(rulesOf(manifest, { gotong: true })).toContain(rule)
  })

  test('a tool can declare itself deterministic, and only with a boolean', () => {
    const terms = { ...devnetTool['dev.gotong.terms'], deterministic: true }
    const manifest = parseToolManifest(
      { ...devnetTool, 'dev.gotong.terms': terms },
      { gotong: true },
    )
    expect(manifest['dev.gotong.terms'].deterministic).toBe(true)
    expect(
      rulesOf(
        { ...devnetTool, 'dev.gotong.terms': { ...terms, deterministic: 'yes' } },
        { gotong: true },
      ),
    ).toEqual(['invalid_type'])
  })

  test('any ERC-8257 client can read a gotong manifest', () => {
    expect(rulesOf(devnetTool, { chainId: 31337 })).toEqual([])
  })
})

function nest(levels: number): Record<string, unknown> {
  let schema: Record<string, unknown> = { type: 'string' }
  for (let i = 1; i < levels; i++) schema = { type: 'object', properties: { x: schema } }
  return schema
}

function wide(count: number): Record<string, unknown> {
  const properties: Record<string, unknown> = {}
  for (let i = 0; i < count; i++) properties[`p${i}`] = { type: 'string' }
  return { type: 'object', properties }
}
