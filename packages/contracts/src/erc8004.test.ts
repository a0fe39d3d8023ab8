import { describe, expect, it } from 'vitest'
import {
  identityRegistryAbi,
  receiptFeedbackGatewayAbi,
  reputationRegistryAbi,
  validationRegistryAbi,
} from './index.js'

type Param = {
  readonly name: string
  readonly type: string
  readonly indexed?: boolean
  readonly components?: readonly Param[]
}
type Item = {
  readonly type: string
  readonly name?: string
  readonly inputs?: readonly Param[]
  readonly outputs?: readonly Param[]
  readonly stateMutability?: string
}

const typeOf = (p: Param): string =>
  p.components
    ? `(${p.components.map((c) => `${typeOf(c)} ${c.name}`).join(',')})${p.type.slice('tuple'.length)}`
    : p.type

/** Every function and event of an ABI as one line each, names and indexed flags included. */
const signatures = (abi: readonly Item[]) =>
  abi.flatMap((item) => {
    const inputs = (item.inputs ?? [])
      .map((p) => `${typeOf(p)}${p.indexed ? ' indexed' : ''} ${p.name}`)
      .join(',')
    if (item.type === 'event') return [`event ${item.name}(${inputs})`]
    if (item.type !== 'function') return []
    const outputs = (item.outputs ?? []).map((p) => `${typeOf(p)} ${p.name}`.trim()).join(',')
    return [`function ${item.name}(${inputs}) ${item.stateMutability} returns (${outputs})`]
  })

// Copied from the ERC-8004 text (January 2026), with its parameter names, so viem decodes our
// events and calls into the same named fields as the canonical deployments'.
const erc721 = [
  'function ownerOf(uint256 tokenId) view returns (address)',
  'function balanceOf(address owner) view returns (uint256)',
  'function tokenURI(uint256 tokenId) view returns (string)',
  'function transferFrom(address from,address to,uint256 tokenId) nonpayable returns ()',
  'function safeTransferFrom(address from,address to,uint256 tokenId) nonpayable returns ()',
  'function approve(address to,uint256 tokenId) nonpayable returns ()',
  'function setApprovalForAll(address operator,bool approved) nonpayable returns ()',
  'function getApproved(uint256 tokenId) view returns (address)',
  'function isApprovedForAll(address owner,address operator) view returns (bool)',
  'event Transfer(address indexed from,address indexed to,uint256 indexed tokenId)',
]
const identity = [
  'function register(string agentURI,(string metadataKey,bytes metadataValue)[] metadata) nonpayable returns (uint256 agentId)',
  'function register(string agentURI) nonpayable returns (uint256 agentId)',
  'function register() nonpayable returns (uint256 agentId)',
  'function setAgentURI(uint256 agentId,string newURI) nonpayable returns ()',
  'function getMetadata(uint256 agentId,string metadataKey) view returns (bytes)',
  'function setMetadata(uint256 agentId,string metadataKey,bytes metadataValue) nonpayable returns ()',
  'function setAgentWallet(uint256 agentId,address newWallet,uint256 deadline,bytes signature) nonpayable returns ()',
  'function getAgentWallet(uint256 agentId) view returns (address)',
  'function unsetAgentWallet(uint256 agentId) nonpayable returns ()',
  'event Registered(uint256 indexed agentId,string agentURI,address indexed owner)',
  'event MetadataSet(uint256 indexed agentId,string indexed indexedMetadataKey,string metadataKey,bytes metadataValue)',
  'event URIUpdated(uint256 indexed agentId,string newURI,address indexed updatedBy)',
  // The reference implementation's, which its reputation registry calls.
  'function isAuthorizedOrOwner(address spender,uint256 agentId) view returns (bool)',
]
const reputation = [
  'function getIdentityRegistry() view returns (address identityRegistry)',
  'function giveFeedback(uint256 agentId,int128 value,uint8 valueDecimals,string tag1,string tag2,string endpoint,string feedbackURI,bytes32 feedbackHash) nonpayable returns ()',
  'function revokeFeedback(uint256 agentId,uint64 feedbackIndex) nonpayable returns ()',
  'function appendResponse(uint256 agentId,address clientAddress,uint64 feedbackIndex,string responseURI,bytes32 responseHash) nonpayable returns ()',
  'function getSummary(uint256 agentId,address[] clientAddresses,string tag1,string tag2) view returns (uint64 count,int128 summaryValue,uint8 summaryValueDecimals)',
  'function readFeedback(uint256 agentId,address clientAddress,uint64 feedbackIndex) view returns (int128 value,uint8 valueDecimals,string tag1,string tag2,bool isRevoked)',
  'function readAllFeedback(uint256 agentId,address[] clientAddresses,string tag1,string tag2,bool includeRevoked) view returns (address[] clients,uint64[] feedbackIndexes,int128[] values,uint8[] valueDecimals,string[] tag1s,string[] tag2s,bool[] revokedStatuses)',
  'function getResponseCount(uint256 agentId,address clientAddress,uint64 feedbackIndex,address[] responders) view returns (uint64 count)',
  'function getClients(uint256 agentId) view returns (address[])',
  'function getLastIndex(uint256 agentId,address clientAddress) view returns (uint64)',
  'event NewFeedback(uint256 indexed agentId,address indexed clientAddress,uint64 feedbackIndex,int128 value,uint8 valueDecimals,string indexed indexedTag1,string tag1,string tag2,string endpoint,string feedbackURI,bytes32 feedbackHash)',
  'event FeedbackRevoked(uint256 indexed agentId,address indexed clientAddress,uint64 indexed feedbackIndex)',
  'event ResponseAppended(uint256 indexed agentId,address indexed clientAddress,uint64 feedbackIndex,address indexed responder,string responseURI,bytes32 responseHash)',
]
const validation = [
  'function getIdentityRegistry() view returns (address identityRegistry)',
  'function validationRequest(address validatorAddress,uint256 agentId,string requestURI,bytes32 requestHash) nonpayable returns ()',
  'function validationResponse(bytes32 requestHash,uint8 response,string responseURI,bytes32 responseHash,string tag) nonpayable returns ()',
  'function getValidationStatus(bytes32 requestHash) view returns (address validatorAddress,uint256 agentId,uint8 response,bytes32 responseHash,string tag,uint256 lastUpdate)',
  'function getSummary(uint256 agentId,address[] validatorAddresses,string tag) view returns (uint64 count,uint8 averageResponse)',
  'function getAgentValidations(uint256 agentId) view returns (bytes32[] requestHashes)',
  'function getValidatorRequests(address validatorAddress) view returns (bytes32[] requestHashes)',
  'event ValidationRequest(address indexed validatorAddress,uint256 indexed agentId,string requestURI,bytes32 indexed requestHash)',
  'event ValidationResponse(address indexed validatorAddress,uint256 indexed agentId,bytes32 indexed requestHash,uint8 response,string responseURI,bytes32 responseHash,string tag)',
]

describe('ERC-8004 registries', () => {
  it('the identity registry has every ERC-721 and ERC-8004 function and event, as specified', () => {
    expect(signatures(identityRegistryAbi)).toEqual(
      expect.arrayContaining([...erc721, ...identity]),
    )
    // Nothing to initialize: no proxy.
    expect(signatures(identityRegistryAbi).some((s) => s.includes(' initialize('))).toBe(false)
  })

  it('the reputation registry has every ERC-8004 function and event, as specified', () => {
    expect(signatures(reputationRegistryAbi)).toEqual(expect.arrayContaining(reputation))
  })

  it('the validation registry has every ERC-8004 function and event, as specified', () => {
    expect(signatures(validationRegistryAbi)).toEqual(expect.arrayContaining(validation))
  })

  it('the gateway takes the receipt, its agreement and its channel key, and reports payments', () => {
    expect(signatures(receiptFeedbackGatewayAbi).filter((s) => s.startsWith('function'))).toEqual(
      expect.arrayContaining([
        'function giveFeedback(uint256 agentId,(int128 value,uint8 valueDecimals,string endpoint,string feedbackURI,bytes32 feedbackHash) feedback,(address payer,address payee,address token,uint64 challengePeriod,bytes32 salt) key,(address consumer,address provider,address registry,uint256 toolId,bytes32 manifestHash,address token,uint256 pricePerCall,uint64 maxCalls,uint64 validUntil,uint32 p95LatencyMs,uint32 callsPerMinute,bytes32 nonce) agreement,(bytes32 termsHash,bytes32 channelId,uint64 calls,uint256 cumulativeAmount,bytes32 requestHash,bytes32 responseHash,uint64 servedAt) receipt,bytes signature) nonpayable returns (uint64 feedbackIndex)',
        'function revokeFeedback(uint256 agentId,uint64 feedbackIndex) nonpayable returns ()',
        'function getPaidSummary(uint256 agentId,string tag1) view returns (uint64 count,uint256 paid,int128 summaryValue,uint8 summaryValueDecimals)',
        'function paymentOf(uint256 agentId,uint64 feedbackIndex) view returns ((address payer,uint96 amount))',
        'function countedOf(bytes32 channelId) view returns (uint256)',
      ]),
    )
    expect(signatures(receiptFeedbackGatewayAbi).filter((s) => s.startsWith('event'))).toEqual([
      'event PaidFeedback(uint256 indexed agentId,address indexed payer,uint64 indexed feedbackIndex,bytes32 channelId,bytes32 receiptDigest,uint256 toolId,uint256 amount)',
    ])
  })
})
