import { parseAmount } from '@gotong/core'
import { publishVersion } from '@gotong/directory'
import { pricingPolicy } from '@gotong/negotiation'
import type { Hex } from 'viem'
import { type A2aTool, serveA2a } from '../a2a/serveA2a.js'
import type { AgentContext } from '../agent/agentContext.js'
import { listen } from '../agent/listen.js'
import type { ServedTool, ServeOptions } from '../agent/types.js'
import { listServedTool } from '../identity/listServedTool.js'
import { registerOnServe } from '../identity/registerOnServe.js'
import type { Tool } from '../tool/defineTool.js'
import { declareDeterministic } from '../trust/declareDeterministic.js'
import { stakeClientOf } from '../trust/stakeTransaction.js'
import { typedDataSigner } from '../typedSigner.js'
import { buildManifest } from './buildManifest.js'
import { deployGate } from './deployGate.js'
import { hostTool } from './hostTool.js'
import { publishOrReuse } from './publishOrReuse.js'
import { saveAgreement } from './savedAgreements.js'
import { schemasOf, serveX402, x402OptionOf } from './serveX402.js'

/**
 * Publishes a tool to the directory (or reuses this agent's earlier listing of it) and serves
 * it on the agent's endpoint under `tools/<slug>`, priced and optionally token-gated; a priced
 * tool also answers x402 at `tools/<slug>/x402`, listed as its second pricing entry. Every tool
 * is also a skill on the agent's A2A card, paid over A2A at `/a2a`.
 */
export async function serveTool(
  agent: AgentContext,
  tool: Tool,
  options: ServeOptions,
): Promise<ServedTool> {
  const { parameters, contracts, wallet, chainId, account } = agent
  const { url: listening } = await listen(agent)
  // Behind a balancer, listings name it: every replica publishes the same manifest.
  const url = parameters.publicUrl?.replace(/\/+$/, '') ?? listening
  const routeBase = `tools/${slugOf(tool.name)}`
  const price = typeof options.price === 'string' ? parseAmount(options.price, 6) : options.price
  const minDeposit = options.minDeposit ?? price * 10n
  const timeoutMs = options.timeoutMs ?? 30_000
  const accessPredicate = options.gate
    ? await deployGate(wallet, agent.publicClient, options.gate)
    : null
  const x402 = x402OptionOf(options, price)
  const x402Url = x402 ? `${url}/${routeBase}/x402` : undefined
  // The ERC-8004 agent behind the tool, named in its manifest.
  // Replicas register one at a time too: the later ones find the first's identity by wallet.
  const register = () => registerOnServe(agent)
  const identity = await (agent.agreementStore?.exclusively('register', register) ?? register())
  const manifestFor = (t: Tool) =>
    buildManifest({
      tool: { ...t, extensions: { ...t.extensions, ...identity } },
      endpoint: `${url}/${routeBase}`,
      creator: account.address,
      chainId,
      token: contracts.gotongToken,
      channels: contracts.paymentChannels,
      price,
      minDeposit,
      ...(options.deterministic ? { deterministic: true } : {}),
      ...(options.sla ? { sla: options.sla } : {}),
      ...(options.quota ? { quota: options.quota } : {}),
      ...(x402Url ? { x402: { endpoint: x402Url } } : {}),
    })
  const publish = () => publishOrReuse(agent, tool.name, manifestFor(tool), accessPredicate)
  // Replicas starting together publish one at a time: the later ones find the listing and reuse it.
  const published = await (agent.agreementStore?.exclusively(`publish ${tool.name}`, publish) ??
    publish())
  // The chain cannot read the manifest's promise: declared there, a lie is slashable.
  const declare = (manifestHash: Hex) =>
    options.deterministic && contracts.providerStake
      ? declareDeterministic(stakeClientOf(agent), manifestHash)
      : undefined
  await declare(published.manifestHash)
  const hosted = hostTool({
    now: agent.now,
    signer: typedDataSigner(agent.signer),
    agreements: agent.state.savedAgreements.filter(
      (a) =>
        a.agreement.toolId === published.toolId &&
        a.agreement.registry.toLowerCase() === contracts.toolDirectory.toLowerCase(),
    ),
    onAgreement: (agreement) => {
      saveAgreement(agent.agreementsFile, agreement)
      agent.report.agreement(agreement)
    },
    server: agent.server,
    routeBase,
    tool,
    account,
    chainId,
    directory: contracts.toolDirectory,
    toolId: published.toolId,
    manifestHash: published.manifestHash,
    channels: contracts.paymentChannels,
    token: contracts.gotongToken,
    pricing: options.pricing ?? pricingPolicy(price),
    minDeposit,
    ...(options.quota?.callsPerChannel ? { maxCalls: BigInt(options.quota.callsPerChannel) } : {}),
    ...(options.sla
      ? { p95LatencyMs: options.sla.p95LatencyMs, callsPerMinute: options.sla.callsPerMinute }
      : {}),
    timeoutMs,
    payee: agent.payee,
    ...(agent.agreementStore ? { shared: agent.agreementStore } : {}),
    gate: accessPredicate ? agent.gate : undefined,
    onCall: (event) => {
      agent.report.served({ name: tool.name, toolId: published.toolId }, event)
      parameters.onCall?.({
        tool: tool.name,
        caller: event.caller,
        ok: event.ok,
        ...(event.code ? { code: event.code } : {}),
      })
    },
  })
  agent.state.responders.push(hosted.responder)
  const announce = (manifestHash: Hex) =>
    agent.events.emit({
      type: 'tool.published',
      toolId: published.toolId,
      name: tool.name,
      price,
      manifestHash,
      accessPredicate,
      endpoint: `${url}/${routeBase}`,
    })
  announce(published.manifestHash)
  const face =
    x402 && x402Url
      ? serveX402(agent, {
          tool,
          manifest: manifestFor(tool),
          toolId: published.toolId,
          url: x402Url,
          price,
          facilitator: x402.facilitator,
          gated: accessPredicate !== null,
          timeoutMs,
        })
      : undefined
  const a2aEntry = (t: Tool): A2aTool => ({
    toolId: published.toolId.toString(),
    ref: published.ref,
    name: t.name,
    description: t.description,
    tags: t.tags,
    price,
    negotiate: `${url}/${routeBase}/negotiate`,
    fund: `${url}/${routeBase}/fund`,
    ...(x402Url ? { x402: x402Url } : {}),
    gated: accessPredicate !== null,
    call: hosted.call,
  })
  const putA2a = serveA2a(agent, url, a2aEntry(tool))
  await listServedTool(agent, { ref: published.ref, name: tool.name, x402: x402Url })
  let current = tool
  return {
    toolId: published.toolId,
    ref: published.ref,
    manifestHash: published.manifestHash,
    accessPredicate,
    x402Url,
    async update(patch) {
      const next: Tool = { ...current, ...patch }
      const manifest = manifestFor(next)
      const version = await publishVersion(wallet, {
        address: contracts.toolDirectory,
        toolId: published.toolId,
        manifest,
        gotong: true,
      })
      current = next
      await declare(version.manifestHash)
      // Calls from now on are checked against the new schemas; new consumers negotiate for
      // the version now on chain.
      hosted.setTool(current)
      face?.update(current, schemasOf(manifest))
      putA2a(a2aEntry(current))
      hosted.responder.setManifestHash(version.manifestHash)
      announce(version.manifestHash)
      return version.manifestHash
    },
  }
}

/** A tool's name as a URL path segment: lowercase letters, digits and hyphens. */
function slugOf(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
}
