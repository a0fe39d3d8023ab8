/** The ERC-8257 example manifests, verbatim from the standard's text (§2, §3, §4, §5). */
export const freeTool = {
  type: 'https://ercs.ethereum.org/ERCS/erc-8257#tool-manifest-v1',
  name: 'nft-price-oracle',
  description: 'Returns estimated floor price for any NFT collection.',
  endpoint: 'https://tools.example.com/nft-price-oracle',
  inputs: {
    type: 'object',
    properties: {
      collection: { type: 'string', description: 'Contract address' },
      chainId: { type: 'integer' },
    },
    required: ['collection', 'chainId'],
  },
  outputs: {
    type: 'object',
    properties: {
      floorPriceEth: { type: 'string' },
      updatedAt: { type: 'string', format: 'date-time' },
    },
  },
  version: '1.0.0',
  tags: ['nft', 'pricing', 'oracle'],
  creatorAddress: '0xabcdefabcdef1234567890abcdefabcdef123456',
}

export const paidTool = {
  type: 'https://ercs.ethereum.org/ERCS/erc-8257#tool-manifest-v1',
  name: 'premium-analytics',
  description: 'Advanced portfolio analytics for NFT holders.',
  endpoint: 'https://tools.example.com/premium-analytics',
  inputs: {
    type: 'object',
    properties: { wallet: { type: 'string', description: 'Wallet address to analyze' } },
    required: ['wallet'],
  },
  outputs: {
    type: 'object',
    properties: { totalValue: { type: 'string' }, breakdown: { type: 'array' } },
  },
  version: '1.0.0',
  tags: ['analytics', 'portfolio'],
  pricing: [
    {
      amount: '20000',
      asset: 'eip155:8453/erc20:0x833589fcd6edb6e08f4c7c32d4f71b54bda02913',
      recipient: 'eip155:8453:0xabcdef0123456789abcdef0123456789abcdef01',
      protocol: 'x402',
    },
    {
      amount: '20000',
      asset: 'eip155:1/erc20:0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48',
      recipient: 'eip155:1:0xabcdef0123456789abcdef0123456789abcdef01',
      protocol: 'x402',
    },
  ],
  creatorAddress: '0xabcdef0123456789abcdef0123456789abcdef01',
}

export const accessExample = {
  logic: 'OR',
  requirements: [
    {
      kind: '0xabcd1234',
      data: '0x000000000000000000000000abcdefabcdef1234567890abcdefabcdef123456',
      label: 'Hold any Chonk on Base',
      links: {
        buy: 'https://opensea.io/collection/chonks',
        'predicate-source': 'https://github.com/example/chonks-predicate',
      },
    },
  ],
}

export const teeVerifiability = {
  tier: 'hardware-attested',
  execution: 'tee',
  description:
    'Runs inside Intel SGX enclave via NEAR AI Cloud. GPU operators cannot access prompts.',
  dataRetention: 'ephemeral',
  sourceVisibility: 'open-source',
  attestation: {
    type: 'dcap-v3',
    endpoint: 'https://tools.example.com/.well-known/attestation',
    enclaveHash: '0xabcdef1234567890abcdef1234567890abcdef1234567890abcdef1234567890',
    maxAge: 3600,
    transparencyLogURI: 'https://rekor.sigstore.dev/api/v1/log/entries/abcdef123456',
  },
}

export const e2eeVerifiability = {
  tier: 'verifiable',
  execution: 'e2ee',
  description:
    'Input encrypted on device, decrypted only inside verified TEE. Full source-to-attestation chain is independently verifiable.',
  dataRetention: 'none',
  sourceVisibility: 'open-source',
  attestation: {
    type: 'nitro',
    endpoint: 'https://enclave.example.com/.well-known/attestation',
    enclaveHash: '0x1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef',
    maxAge: 1800,
  },
  reproducibleBuild: {
    sourceCodeURI: 'https://github.com/example/tool/tree/abc123def456',
    buildInstructions: 'nix build .#enclave',
    buildHash: '0x1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef',
  },
}

/** A gotong manifest for a tool served on a local devnet. */
export const devnetTool = {
  type: 'https://ercs.ethereum.org/ERCS/erc-8257#tool-manifest-v1',
  name: 'dataset-stats',
  description: 'Summary statistics of a numeric column.',
  endpoint: 'http://127.0.0.1:4021/tools/dataset-stats',
  inputs: { type: 'object', properties: { values: { type: 'array' } } },
  outputs: { type: 'object', properties: { mean: { type: 'number' } } },
  creatorAddress: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8',
  pricing: [
    {
      amount: '5000',
      asset: 'eip155:31337/erc20:0x5fbdb2315678afecb367f032d93f642f64180aa3',
      recipient: 'eip155:31337:0x70997970c51812dc3a010c7d01b50e0d17dc79c8',
      protocol: 'gotong-channel',
    },
  ],
  'dev.gotong.terms': {
    version: 1,
    channels: 'eip155:31337:0xe7f1725e7734ce288f8367e1bb143e90bb3f0512',
    sla: { p95LatencyMs: 250, callsPerMinute: 600 },
    quota: { callsPerChannel: 10000 },
  },
}
