import { type Context, ponder } from 'ponder:registry'
import { verifyManifest } from '@gotong/directory'
import { priceKey } from '@gotong/directory/node'
import { type Hex, zeroHash } from 'viem'
import { parsedManifests, refreshProjection } from '../node/refreshProjection.js'
import { encodeText } from '../node/textCodec.js'
import { access, agentCard, directoryStat, manifest, tool, version } from '../ponder.schema.js'

// The directory's events, applied as the SQLite index applies them
// (packages/directory/src/node/writer/applyLogs.ts), one at a time and in log order. Ponder
// runs these per block in one transaction and undoes them if the block is reorganized away.

type Db = Context['db']

/** A URI announced by `ToolMetadataUpdated`, for the `ToolVersioned` right after it. */
const pendingUri = new Map<number, string>()
let pendingBlock = -1n

/** Per-block state: cleared when the first event of a new block arrives. */
function atBlock(block: bigint) {
  if (block === pendingBlock) return
  pendingBlock = block
  pendingUri.clear()
  parsedManifests.clear()
}

/** Tool ids are sequential from 1; beyond 2^53 they are not ours (the SQLite index agrees). */
function rowId(value: bigint): number | undefined {
  return value > 0n && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : undefined
}

function nonZero(address: string): string | null {
  return /^0x0{40}$/i.test(address) ? null : address.toLowerCase()
}

async function counted(db: Db, block: bigint) {
  atBlock(block)
  await db
    .insert(directoryStat)
    .values({ id: 0, rows: 0, tokens: 0, logs: 1 })
    .onConflictDoUpdate((s) => ({ logs: s.logs + 1 }))
}

ponder.on('ToolDirectory:ToolRegistered', async ({ event, context: { db } }) => {
  await counted(db, event.block.number)
  const toolId = rowId(event.args.toolId)
  if (toolId === undefined) return
  const block = Number(event.block.number)
  const predicate = nonZero(event.args.accessPredicate)
  const uri = encodeText(event.args.metadataURI)
  const row = {
    creator: event.args.creator.toLowerCase(),
    registeredBlock: block,
    predicate,
    uri,
    version: 1,
    manifestHash: event.args.manifestHash,
    deregisteredBlock: null,
  }
  // A tool just registered (ids are never reused) has no manifest yet: its projection is known.
  const projection = {
    status: 'unverified',
    reason: 'no_manifest',
    message: encodeText('no manifest bytes are known for this version yet'),
    price: priceKey(0n),
  }
  await db
    .insert(tool)
    .values({ toolId, ...row, ...projection })
    .onConflictDoUpdate(row)
  await db
    .insert(version)
    .values({
      toolId,
      version: 1,
      manifestHash: event.args.manifestHash,
      previousHash: zeroHash,
      uri,
      blockNumber: block,
      transactionHash: event.transaction.hash,
    })
    .onConflictDoNothing()
  await db
    .insert(access)
    .values({ toolId, blockNumber: block, logIndex: event.log.logIndex, predicate })
    .onConflictDoNothing()
})

ponder.on('ToolDirectory:ToolMetadataUpdated', async ({ event, context: { db } }) => {
  await counted(db, event.block.number)
  const toolId = rowId(event.args.toolId)
  if (toolId !== undefined) pendingUri.set(toolId, event.args.newURI)
})

ponder.on('ToolDirectory:ToolVersioned', async ({ event, context: { db } }) => {
  await counted(db, event.block.number)
  const toolId = rowId(event.args.toolId)
  // Version 1 comes with the registration, which wrote it: no need to read the tool.
  const next = Number(event.args.version)
  if (next === 1) return
  const row = toolId === undefined ? null : await db.find(tool, { toolId })
  if (toolId === undefined || !row) return
  const pending = pendingUri.get(toolId)
  const uri = pending === undefined ? row.uri : encodeText(pending)
  await db
    .insert(version)
    .values({
      toolId,
      version: next,
      manifestHash: event.args.manifestHash,
      previousHash: event.args.previousManifestHash,
      uri,
      blockNumber: Number(event.block.number),
      transactionHash: event.transaction.hash,
    })
    .onConflictDoNothing()
  await db
    .update(tool, { toolId })
    .set({ version: next, manifestHash: event.args.manifestHash, uri })
  pendingUri.delete(toolId)
  await refreshProjection(db, toolId)
})

ponder.on('ToolDirectory:ManifestPublished', async ({ event, context }) => {
  const { db } = context
  await counted(db, event.block.number)
  const toolId = rowId(event.args.toolId)
  const row = toolId === undefined ? null : await db.find(tool, { toolId })
  if (toolId === undefined || !row) return
  const at = Number(event.args.version)
  const stored = await db.find(version, { toolId, version: at })
  const bytes = Buffer.from(event.args.manifest.slice(2), 'hex')
  // The very check the SQLite index runs; the directory reverts unless keccak256(bytes) is the
  // event's hash, so that hash is passed as known.
  const verification = verifyManifest(bytes, {
    manifestHash: (stored?.manifestHash ?? event.args.manifestHash) as Hex,
    creator: row.creator as Hex,
    chainId: context.chain.id,
    bytesHash: event.args.manifestHash,
  })
  const failed = verification.status === 'unverified' ? verification : undefined
  const values = {
    blockNumber: Number(event.block.number),
    status: verification.status,
    reason: failed?.reason ?? null,
    message: failed ? encodeText(failed.message) : null,
    issues: failed?.issues ? JSON.stringify(failed.issues) : null,
    bytes: event.args.manifest,
  }
  await db
    .insert(manifest)
    .values({ toolId, version: at, source: 'event', ...values })
    .onConflictDoUpdate(values)
  if (verification.manifest) parsedManifests.set(`${toolId}:${at}:event`, verification.manifest)
  await refreshProjection(db, toolId)
})

ponder.on('ToolDirectory:AccessPredicateUpdated', async ({ event, context: { db } }) => {
  await counted(db, event.block.number)
  const toolId = rowId(event.args.toolId)
  if (toolId === undefined || !(await db.find(tool, { toolId }))) return
  const predicate = nonZero(event.args.newPredicate)
  await db
    .insert(access)
    .values({
      toolId,
      blockNumber: Number(event.block.number),
      logIndex: event.log.logIndex,
      predicate,
    })
    .onConflictDoUpdate({ predicate })
  await db.update(tool, { toolId }).set({ predicate })
  await refreshProjection(db, toolId)
})

ponder.on('ToolDirectory:ToolDeregistered', async ({ event, context: { db } }) => {
  await counted(db, event.block.number)
  const toolId = rowId(event.args.toolId)
  if (toolId === undefined || !(await db.find(tool, { toolId }))) return
  await db.update(tool, { toolId }).set({ deregisteredBlock: Number(event.block.number) })
  await refreshProjection(db, toolId)
})

/** An agent card set (or cleared: nulls), kept with its block and log. */
async function writeCard(
  db: Db,
  event: { args: { agent: string }; block: { number: bigint }; log: { logIndex: number } },
  values: { endpoint: string | null; name: string | null; cardHash: string | null },
) {
  await counted(db, event.block.number)
  await db
    .insert(agentCard)
    .values({
      agent: event.args.agent.toLowerCase(),
      blockNumber: Number(event.block.number),
      logIndex: event.log.logIndex,
      ...values,
    })
    .onConflictDoUpdate(values)
}

ponder.on('ToolDirectory:AgentCardSet', ({ event, context: { db } }) =>
  writeCard(db, event, {
    endpoint: encodeText(event.args.endpoint),
    name: encodeText(event.args.name),
    cardHash: event.args.cardHash,
  }),
)

ponder.on('ToolDirectory:AgentCardCleared', ({ event, context: { db } }) =>
  writeCard(db, event, { endpoint: null, name: null, cardHash: null }),
)
