// gotong's formulas as PROTOCOL.md states them, with viem alone: canonical JSON, content hashes,
// ids, the EIP-712 types and domains, and the contract fragments a client calls.
import {
  type Address,
  concat,
  encodeAbiParameters,
  encodePacked,
  type Hex,
  keccak256,
  parseAbi,
  stringToBytes,
} from 'viem'

/** RFC 8785 canonical JSON (PROTOCOL.md §3). */
export function jcs(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('not JSON')
    const text = JSON.stringify(value)
    if (text === undefined) throw new TypeError('not JSON')
    return text
  }
  if (Array.isArray(value)) return `[${value.map(jcs).join(',')}]`
  const record = value as Record<string, unknown>
  // Array.prototype.sort compares UTF-16 code units, as RFC 8785 asks.
  const keys = Object.keys(record)
    .filter((key) => record[key] !== undefined)
    .sort()
  return `{${keys.map((key) => `${JSON.stringify(key)}:${jcs(record[key])}`).join(',')}}`
}

/** `keccak256(UTF-8(JCS(value)))`. */
export const contentHash = (value: unknown): Hex => keccak256(stringToBytes(jcs(value)))

/** `keccak256(abi.encodePacked(bytes32 cfpId, address payee, uint8 round))`. */
export const proposalIdOf = (cfpId: Hex, payee: Address, round: number): Hex =>
  keccak256(encodePacked(['bytes32', 'address', 'uint8'], [cfpId, payee, round]))

/** `keccak256(cfpId ‖ proposalId)`. */
export const agreementNonceOf = (cfpId: Hex, proposalId: Hex): Hex =>
  keccak256(concat([cfpId, proposalId]))

/** `keccak256({ tool, termsHash, input })` in canonical JSON: what a receipt's requestHash is. */
export const requestHashOf = (tool: string, termsHash: Hex, input: unknown): Hex =>
  contentHash({ tool, termsHash: termsHash.toLowerCase(), input })

export type ChannelKey = {
  payer: Address
  payee: Address
  token: Address
  challengePeriod: number
  salt: Hex
}

/** `keccak256(abi.encode(chainId, paymentChannels, payer, payee, token, challengePeriod, salt))`. */
export function channelIdOf(chainId: number, paymentChannels: Address, key: ChannelKey): Hex {
  return keccak256(
    encodeAbiParameters(
      [
        { type: 'uint256' },
        { type: 'address' },
        { type: 'address' },
        { type: 'address' },
        { type: 'address' },
        { type: 'uint64' },
        { type: 'bytes32' },
      ],
      [
        BigInt(chainId),
        paymentChannels,
        key.payer,
        key.payee,
        key.token,
        BigInt(key.challengePeriod),
        key.salt,
      ],
    ),
  )
}

/** The envelope domain: no verifying contract. */
export const envelopeDomain = (chainId: number) => ({ name: 'gotong', version: '1', chainId })

/** The domain of agreements, vouchers and receipts. */
export const gotongDomain = (chainId: number, paymentChannels: Address) => ({
  name: 'gotong',
  version: '1',
  chainId,
  verifyingContract: paymentChannels,
})

export const types = {
  Envelope: [
    { name: 'from', type: 'address' },
    { name: 'to', type: 'address' },
    { name: 'route', type: 'string' },
    { name: 'nonce', type: 'bytes32' },
    { name: 'expiresAt', type: 'uint64' },
    { name: 'bodyHash', type: 'bytes32' },
    { name: 'idempotencyKey', type: 'string' },
  ],
  Agreement: [
    { name: 'consumer', type: 'address' },
    { name: 'provider', type: 'address' },
    { name: 'registry', type: 'address' },
    { name: 'toolId', type: 'uint256' },
    { name: 'manifestHash', type: 'bytes32' },
    { name: 'token', type: 'address' },
    { name: 'pricePerCall', type: 'uint256' },
    { name: 'maxCalls', type: 'uint64' },
    { name: 'validUntil', type: 'uint64' },
    { name: 'p95LatencyMs', type: 'uint32' },
    { name: 'callsPerMinute', type: 'uint32' },
    { name: 'nonce', type: 'bytes32' },
  ],
  Voucher: [
    { name: 'channelId', type: 'bytes32' },
    { name: 'cumulativeAmount', type: 'uint256' },
    { name: 'calls', type: 'uint64' },
    { name: 'termsHash', type: 'bytes32' },
    { name: 'envelopeHash', type: 'bytes32' },
  ],
  Receipt: [
    { name: 'termsHash', type: 'bytes32' },
    { name: 'channelId', type: 'bytes32' },
    { name: 'calls', type: 'uint64' },
    { name: 'cumulativeAmount', type: 'uint256' },
    { name: 'requestHash', type: 'bytes32' },
    { name: 'responseHash', type: 'bytes32' },
    { name: 'servedAt', type: 'uint64' },
  ],
  Permit: [
    { name: 'owner', type: 'address' },
    { name: 'spender', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
} as const

/** One EIP-712 type of the table above, as viem's `types` parameter. */
export const typesOf = <const Name extends keyof typeof types>(name: Name) =>
  ({ [name]: types[name] }) as { [K in Name]: (typeof types)[K] }

/** The wire form of an Agreement (PROTOCOL.md §7.4): integers above 32 bits as strings. */
export type AgreementWire = {
  consumer: Address
  provider: Address
  registry: Address
  toolId: string
  manifestHash: Hex
  token: Address
  pricePerCall: string
  maxCalls: string
  validUntil: string
  p95LatencyMs: number
  callsPerMinute: number
  nonce: Hex
}

/** The Agreement as EIP-712 signs it. */
export const agreementMessage = (a: AgreementWire) => ({
  ...a,
  toolId: BigInt(a.toolId),
  pricePerCall: BigInt(a.pricePerCall),
  maxCalls: BigInt(a.maxCalls),
  validUntil: BigInt(a.validUntil),
})

/** ToolDirectory (§5.1) and PaymentChannels (§10) fragments, and the token's EIP-2612 reads. */
export const abi = parseAbi([
  'event ToolRegistered(uint256 indexed toolId, address indexed creator, address indexed accessPredicate, string metadataURI, bytes32 manifestHash)',
  'event ToolDeregistered(uint256 indexed toolId)',
  'event ManifestPublished(uint256 indexed toolId, uint64 indexed version, bytes32 manifestHash, bytes manifest)',
  'struct ToolConfig { address creator; string metadataURI; bytes32 manifestHash; address accessPredicate; }',
  'function getToolConfig(uint256 toolId) view returns (ToolConfig)',
  'struct ChannelKey { address payer; address payee; address token; uint64 challengePeriod; bytes32 salt; }',
  'function openWithPermit(ChannelKey key, uint256 deposit, uint256 deadline, uint8 v, bytes32 r, bytes32 s) returns (bytes32 channelId)',
  'function startClose(ChannelKey key)',
  'function finalize(ChannelKey key)',
  'function channelIdOf(ChannelKey key) view returns (bytes32)',
  'event ChannelOpened(bytes32 indexed channelId, address indexed payer, address indexed payee, address token, uint256 deposit, uint64 challengePeriod, bytes32 salt)',
  'event Claimed(bytes32 indexed channelId, uint256 cumulativeAmount, uint64 calls, bytes32 termsHash, uint256 paid)',
  'event CloseStarted(bytes32 indexed channelId, uint64 closesAt)',
  'event ChannelClosed(bytes32 indexed channelId, uint256 paidToPayee, uint256 refundedToPayer)',
  'function nonces(address owner) view returns (uint256)',
  'function eip712Domain() view returns (bytes1 fields, string name, string version, uint256 chainId, address verifyingContract, bytes32 salt, uint256[] extensions)',
  'function balanceOf(address account) view returns (uint256)',
])

/** The key as the contract's tuple. */
export const keyArg = (key: ChannelKey) => ({
  ...key,
  challengePeriod: BigInt(key.challengePeriod),
})
