import { toolDirectoryAbi } from '@gotong/contracts'
import {
  encodeAbiParameters,
  encodeEventTopics,
  type Hex,
  keccak256,
  type Log,
  parseEventLogs,
  stringToHex,
} from 'viem'
import { describe, expect, test } from 'vitest'
import { decodeDirectoryLogs } from './decodeDirectoryLogs.js'

const creator = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const predicate = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'
const hash = keccak256(stringToHex('manifest'))
const other = keccak256(stringToHex('other'))
const manifest = stringToHex('{"name":"ünïcode ✓"}')

type Event = Extract<(typeof toolDirectoryAbi)[number], { type: 'event' }>

/** A log as the node returns it, encoded by viem from the ABI. */
function log(eventName: Event['name'], args: Record<string, unknown>, logIndex = 0): Log {
  const event = toolDirectoryAbi.find((e) => e.type === 'event' && e.name === eventName) as Event
  const topics = encodeEventTopics({ abi: [event], eventName, args } as never) as Hex[]
  const unindexed = event.inputs.filter((input) => !('indexed' in input && input.indexed))
  const data = encodeAbiParameters(
    unindexed,
    unindexed.map((input) => args[input.name!]),
  )
  return {
    address: creator,
    blockHash: hash,
    blockNumber: 7n,
    data,
    logIndex,
    removed: false,
    topics: topics as [Hex, ...Hex[]],
    transactionHash: other,
    transactionIndex: 0,
  }
}

const lower = (value: unknown): unknown =>
  typeof value === 'string' && /^0x[0-9a-fA-F]{40}$/.test(value)
    ? value.toLowerCase()
    : value && typeof value === 'object'
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, lower(v)]))
      : value

describe('decodeDirectoryLogs', () => {
  test('decodes every directory event exactly like viem (addresses in lowercase)', () => {
    const logs = [
      log('ToolRegistered', {
        toolId: 1n,
        creator,
        accessPredicate: predicate,
        metadataURI: 'https://a.example/.well-known/ai-tool/x.json',
        manifestHash: hash,
      }),
      log('ToolVersioned', {
        toolId: 1n,
        version: 2n,
        manifestHash: hash,
        previousManifestHash: other,
      }),
      log('ToolMetadataUpdated', {
        toolId: 1n,
        newURI: 'https://b.example/ü.json',
        newHash: other,
      }),
      log('ManifestPublished', { toolId: 1n, version: 2n, manifestHash: hash, manifest }),
      log('AccessPredicateUpdated', { toolId: 1n, newPredicate: predicate }),
      log('ToolDeregistered', { toolId: 3n }),
      log('AgentCardSet', {
        agent: creator,
        endpoint: 'http://127.0.0.1:9',
        name: 'Bob ✓',
        cardHash: hash,
      }),
      log('AgentCardCleared', { agent: creator }),
    ]
    const fast = decodeDirectoryLogs(logs)
    const viem = parseEventLogs({ abi: toolDirectoryAbi, logs })
    expect(fast.map((l) => l.eventName)).toEqual(viem.map((l) => l.eventName))
    expect(fast.map((l) => lower(l.args))).toEqual(viem.map((l) => lower(l.args)))
  })

  test('a log of another shape falls back to the general decoder; unknown events are skipped', () => {
    const good = log('ToolDeregistered', { toolId: 3n })
    const unknown = { ...good, topics: [other] as [Hex] }
    const truncated = {
      ...log('ManifestPublished', { toolId: 1n, version: 1n, manifestHash: hash, manifest }),
      data: '0x1234' as Hex,
    }
    expect(decodeDirectoryLogs([unknown, truncated, good]).map((l) => l.eventName)).toEqual([
      'ToolDeregistered',
    ])
  })
})
