// x402's own facilitator in a process of its own, as an x402 resource server meets one: the
// facilitator of `@x402/core` with the exact EVM scheme of `@x402/evm` (v2, and v1 under a
// devnet name), behind `/verify`, `/settle` and `/supported` as `HTTPFacilitatorClient` calls
// them. Usage: facilitatorChild.ts <rpcUrl> <privateKey> <chainId> <v1 network name>
// It prints one JSON line, `{"url": …}`, once it listens.
import { createServer } from 'node:http'
import { x402Facilitator } from '@x402/core/facilitator'
import type { PaymentPayload, PaymentRequirements } from '@x402/core/types'
import { toFacilitatorEvmSigner } from '@x402/evm'
import { ExactEvmScheme } from '@x402/evm/exact/facilitator'
import { ExactEvmSchemeV1 } from '@x402/evm/exact/v1/facilitator'
import { EVM_NETWORK_CHAIN_ID_MAP } from '@x402/evm/v1'
import { createWalletClient, defineChain, type Hex, http, publicActions } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'

const [rpcUrl, privateKey, chainIdText, v1Name] = process.argv.slice(2) as [
  string,
  Hex,
  string,
  string,
]
const chainId = Number(chainIdText)
// x402 v1 names its networks from a closed list with no devnet: this process adds one.
;(EVM_NETWORK_CHAIN_ID_MAP as Record<string, number>)[v1Name] = chainId

const account = privateKeyToAccount(privateKey)
const chain = defineChain({
  id: chainId,
  name: 'devnet',
  nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
  rpcUrls: { default: { http: [rpcUrl] } },
})
const client = createWalletClient({ account, chain, transport: http(rpcUrl) }).extend(publicActions)
const signer = toFacilitatorEvmSigner({
  address: account.address,
  readContract: (args) => client.readContract({ ...args, args: args.args ?? [] } as never),
  verifyTypedData: (args) => client.verifyTypedData(args as never),
  writeContract: (args) => client.writeContract({ ...args, args: args.args ?? [] } as never),
  sendTransaction: (args) => client.sendTransaction(args),
  waitForTransactionReceipt: (args) => client.waitForTransactionReceipt(args),
  getCode: (args) => client.getCode(args),
})
const facilitator = new x402Facilitator()
  .register(`eip155:${chainId}`, new ExactEvmScheme(signer))
  .registerV1(v1Name as `${string}:${string}`, new ExactEvmSchemeV1(signer))

const server = createServer(async (request, response) => {
  const answer = (status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' })
    response.end(JSON.stringify(body))
  }
  try {
    if (request.method === 'GET' && request.url === '/supported')
      return answer(200, facilitator.getSupported())
    let text = ''
    for await (const chunk of request) text += chunk
    const { paymentPayload, paymentRequirements } = JSON.parse(text) as {
      paymentPayload: PaymentPayload
      paymentRequirements: PaymentRequirements
    }
    if (request.method === 'POST' && request.url === '/verify')
      return answer(200, await facilitator.verify(paymentPayload, paymentRequirements))
    if (request.method === 'POST' && request.url === '/settle')
      return answer(200, await facilitator.settle(paymentPayload, paymentRequirements))
    answer(404, { error: 'not found' })
  } catch (error) {
    answer(500, { error: error instanceof Error ? error.message : String(error) })
  }
})
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number }
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`)
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
// Its stdin is a pipe from the test: when the test process goes, however it goes, so does this.
process.stdin.on('close', () => process.exit(0))
process.stdin.resume()
