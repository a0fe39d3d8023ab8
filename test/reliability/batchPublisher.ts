import { type Address, type Hex, toHex } from 'viem'
import type { Setup } from './fixture.js'

/**
 * A contract that registers many manifests in one transaction, so 10,000 listings take ten
 * transactions instead of 10,000 (anvil mines a block per transaction: ~10 ms each here). It is
 * the bench's `BenchPublisher` (bench/src/suites/directory.ts), compiled the same way (solc
 * 0.8.37, optimizer on, 200 runs, evmVersion cancun); the test package carries its bytecode
 * rather than a Solidity compiler. The contract is the creator of every listing it registers,
 * and it hashes each manifest as given, so whatever bytes it is handed land on chain as they are.
 *
 * ```solidity
 * interface IToolDirectory {
 *   function registerToolWithManifest(string calldata uri, bytes32 hash, address predicate, bytes calldata manifest) external returns (uint256);
 * }
 * contract BenchPublisher {
 *   function publish(IToolDirectory directory, string calldata uri, bytes[] calldata manifests) external {
 *     for (uint256 i = 0; i < manifests.length; i++)
 *       directory.registerToolWithManifest(uri, keccak256(manifests[i]), address(0), manifests[i]);
 *   }
 * }
 * ```
 */
export const batchPublisherAbi = [
  {
    type: 'function',
    name: 'publish',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'directory', type: 'address', internalType: 'contract IToolDirectory' },
      { name: 'uri', type: 'string', internalType: 'string' },
      { name: 'manifests', type: 'bytes[]', internalType: 'bytes[]' },
    ],
    outputs: [],
  },
] as const

export const batchPublisherBytecode: Hex =
  '0x6080604052348015600e575f5ffd5b506103568061001c5f395ff3fe608060405234801561000f575f5ffd5b5060043610610029575f3560e01c8063a39071481461002d575b5f5ffd5b61004061003b366004610176565b610042565b005b5f5b8181101561012657856001600160a01b031663d9a87605868686868681811061006f5761006f610232565b90506020028101906100819190610246565b60405161008f929190610289565b60405180910390205f8888888181106100aa576100aa610232565b90506020028101906100bc9190610246565b6040518763ffffffff1660e01b81526004016100dd969594939291906102c0565b6020604051808303815f875af11580156100f9573d5f5f3e3d5ffd5b505050506040513d601f19601f8201168201806040525081019061011d9190610309565b50600101610044565b505050505050565b5f5f83601f84011261013e575f5ffd5b50813567ffffffffffffffff811115610155575f5ffd5b6020830191508360208260051b850101111561016f575f5ffd5b9250929050565b5f5f5f5f5f6060868803121561018a575f5ffd5b85356001600160a01b03811681146101a0575f5ffd5b9450602086013567ffffffffffffffff8111156101bb575f5ffd5b8601601f810188136101cb575f5ffd5b803567ffffffffffffffff8111156101e1575f5ffd5b8860208284010111156101f2575f5ffd5b60209190910194509250604086013567ffffffffffffffff811115610215575f5ffd5b6102218882890161012e565b969995985093965092949392505050565b634e487b7160e01b5f52603260045260245ffd5b5f5f8335601e1984360301811261025b575f5ffd5b83018035915067ffffffffffffffff821115610275575f5ffd5b60200191503681900382131561016f575f5ffd5b818382375f9101908152919050565b81835281816020850137505f828201602090810191909152601f909101601f19169091010190565b608081525f6102d360808301888a610298565b602083018790526001600160a01b038616604084015282810360608401526102fc818587610298565b9998505050505050505050565b5f60208284031215610319575f5ffd5b505191905056fea264697066735822122076eb7e51efdffc197410ecc39441be47f95763c246abf5fbf66da42d1686761a64736f6c63430008250033'

/**
 * Deploys a batch publisher from account `index` and returns its address (the creator of what
 * it publishes) and `publish(uri, manifests)`, which registers them in transactions of
 * `batch` manifests and resolves once every one is mined. Lifts anvil's 30M block gas limit
 * (a registration costs ~100k to ~200k gas).
 */
export async function deployBatchPublisher(t: Setup, index: number, batch = 1_000) {
  const { publicClient } = t.devnet
  await t.testClient.request({
    method: 'evm_setBlockGasLimit',
    params: [toHex(2_000_000_000)],
  } as never)
  const wallet = t.wallet(index)
  const deployed = await publicClient.waitForTransactionReceipt({
    hash: await wallet.deployContract({ abi: batchPublisherAbi, bytecode: batchPublisherBytecode }),
  })
  const address = deployed.contractAddress as Address
  return {
    address,
    async publish(uri: string, manifests: Hex[]) {
      for (let i = 0; i < manifests.length; i += batch) {
        const chunk = manifests.slice(i, i + batch)
        const receipt = await publicClient.waitForTransactionReceipt({
          hash: await wallet.writeContract({
            address,
            abi: batchPublisherAbi,
            functionName: 'publish',
            args: [t.contracts.toolDirectory, uri, chunk],
            gas: BigInt(chunk.length) * 250_000n + 100_000n,
          }),
        })
        if (receipt.status !== 'success') throw new Error(`batch ${i / batch} reverted`)
      }
    },
  }
}
