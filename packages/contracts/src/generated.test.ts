import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import {
  accessPassAbi,
  accessPassBytecode,
  gotongTokenAbi,
  gotongTokenBytecode,
  paymentChannelsAbi,
  paymentChannelsBytecode,
} from './index.js'

const packageDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)))
const generatedDir = path.join(packageDir, 'src', 'generated')

type AbiItem = { readonly type: string; readonly name?: string }

/** Sorted names of the ABI items of one type (`function`, `event`, `error`). */
const namesOf = (abi: readonly AbiItem[], type: string) =>
  abi
    .filter((item) => item.type === type)
    .map((item) => item.name)
    .sort()

describe('gotongToken bindings', () => {
  it('has the ERC-20, EIP-2612, EIP-3009 and Ownable functions', () => {
    expect(namesOf(gotongTokenAbi, 'function')).toEqual([
      'CANCEL_AUTHORIZATION_TYPEHASH',
      'DOMAIN_SEPARATOR',
      'RECEIVE_WITH_AUTHORIZATION_TYPEHASH',
      'TRANSFER_WITH_AUTHORIZATION_TYPEHASH',
      'allowance',
      'approve',
      'authorizationState',
      'balanceOf',
      'cancelAuthorization',
      'cancelAuthorization',
      'decimals',
      'eip712Domain',
      'mint',
      'name',
      'nonces',
      'owner',
      'permit',
      'receiveWithAuthorization',
      'receiveWithAuthorization',
      'renounceOwnership',
      'symbol',
      'totalSupply',
      'transfer',
      'transferFrom',
      'transferOwnership',
      'transferWithAuthorization',
      'transferWithAuthorization',
      'version',
    ])
  })

  it("has every function of x402's EIP-3009 ABI, with the same inputs and outputs", () => {
    // What @x402/evm's exact facilitator encodes calls with (its `eip3009ABI`), as signatures.
    const x402 = [
      'transferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce,uint8 v,bytes32 r,bytes32 s) nonpayable returns ()',
      'transferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce,bytes signature) nonpayable returns ()',
      'balanceOf(address account) view returns (uint256)',
      'version() view returns (string)',
      'name() view returns (string)',
      'authorizationState(address authorizer,bytes32 nonce) view returns (bool)',
    ]
    const ours = gotongTokenAbi.flatMap((item) =>
      item.type === 'function'
        ? [
            `${item.name}(${item.inputs.map((i) => `${i.type} ${i.name}`).join(',')}) ${item.stateMutability} returns (${item.outputs.map((o) => o.type).join(',')})`,
          ]
        : [],
    )
    expect(ours).toEqual(expect.arrayContaining(x402))
    const used = gotongTokenAbi.find(
      (item) => item.type === 'event' && item.name === 'AuthorizationUsed',
    )
    expect(
      used?.type === 'event' &&
        used.inputs.map((input) => `${input.type} ${input.name}${input.indexed ? '*' : ''}`),
    ).toEqual(['address authorizer*', 'bytes32 nonce*'])
  })

  it('keeps literal types, so viem can infer arguments', () => {
    const permit = gotongTokenAbi.find((item) => item.type === 'function' && item.name === 'permit')
    expect(permit?.type === 'function' && permit.inputs.map((input) => input.type)).toEqual([
      'address',
      'address',
      'uint256',
      'uint256',
      'uint8',
      'bytes32',
      'bytes32',
    ])
    const ctor = gotongTokenAbi.find((item) => item.type === 'constructor')
    expect(ctor?.inputs.map((input) => `${input.type} ${input.name}`)).toEqual([
      'string name_',
      'string symbol_',
      'address initialOwner',
    ])
  })

  it('names the custom errors a caller has to decode', () => {
    expect(namesOf(gotongTokenAbi, 'error')).toEqual(
      expect.arrayContaining([
        'ERC20InsufficientBalance',
        'ERC2612ExpiredSignature',
        'ERC2612InvalidSigner',
        'OwnableUnauthorizedAccount',
        'AuthorizationExpired',
        'AuthorizationNotYetValid',
        'AuthorizationUsedOrCanceled',
        'CallerNotPayee',
        'InvalidAuthorizationSignature',
      ]),
    )
    expect(namesOf(gotongTokenAbi, 'event')).toEqual([
      'Approval',
      'AuthorizationCanceled',
      'AuthorizationUsed',
      'EIP712DomainChanged',
      'OwnershipTransferred',
      'Transfer',
    ])
  })
})

describe('accessPass bindings', () => {
  it('has the ERC-1155 and owner functions', () => {
    expect(namesOf(accessPassAbi, 'function')).toEqual([
      'balanceOf',
      'balanceOfBatch',
      'isApprovedForAll',
      'mint',
      'mintBatch',
      'owner',
      'renounceOwnership',
      'safeBatchTransferFrom',
      'safeTransferFrom',
      'setApprovalForAll',
      'setURI',
      'supportsInterface',
      'transferOwnership',
      'uri',
    ])
    expect(namesOf(accessPassAbi, 'event')).toEqual([
      'ApprovalForAll',
      'OwnershipTransferred',
      'TransferBatch',
      'TransferSingle',
      'URI',
    ])
  })
})

describe('paymentChannels bindings', () => {
  const fn = (name: string) =>
    paymentChannelsAbi.find((item) => item.type === 'function' && item.name === name)

  it('takes the channel key on every call after open and reads state by id', () => {
    expect(namesOf(paymentChannelsAbi, 'function')).toEqual([
      'DOMAIN_SEPARATOR',
      'MAX_CHALLENGE_PERIOD',
      'MAX_DEPOSIT',
      'MIN_CHALLENGE_PERIOD',
      'VOUCHER_TYPEHASH',
      'channelIdOf',
      'claim',
      'cooperativeClose',
      'eip712Domain',
      'finalize',
      'getChannel',
      'hashVoucher',
      'open',
      'openWithPermit',
      'startClose',
      'topUp',
    ])
    const open = fn('open')
    expect(open?.type === 'function' && open.inputs[0]).toMatchObject({
      name: 'key',
      type: 'tuple',
      internalType: 'struct IPaymentChannels.ChannelKey',
      components: [
        { name: 'payer', type: 'address' },
        { name: 'payee', type: 'address' },
        { name: 'token', type: 'address' },
        { name: 'challengePeriod', type: 'uint64' },
        { name: 'salt', type: 'bytes32' },
      ],
    })
    for (const name of ['topUp', 'claim', 'startClose', 'finalize', 'cooperativeClose']) {
      const item = fn(name)
      expect(item?.type === 'function' && item.inputs[0]?.type).toBe('tuple')
    }
    const getChannel = fn('getChannel')
    expect(getChannel?.type === 'function' && getChannel.inputs.map((input) => input.type)).toEqual(
      ['bytes32'],
    )
    expect(
      getChannel?.type === 'function' &&
        'components' in getChannel.outputs[0]! &&
        getChannel.outputs[0].components.map((c) => c.name),
    ).toEqual(['deposit', 'claimed', 'closesAt', 'status'])
  })

  it('announces the whole key when a channel opens', () => {
    const opened = paymentChannelsAbi.find(
      (item) => item.type === 'event' && item.name === 'ChannelOpened',
    )
    expect(
      opened?.type === 'event' &&
        opened.inputs.map((input) => `${input.type} ${input.name}${input.indexed ? '*' : ''}`),
    ).toEqual([
      'bytes32 channelId*',
      'address payer*',
      'address payee*',
      'address token',
      'uint256 deposit',
      'uint64 challengePeriod',
      'bytes32 salt',
    ])
    expect(namesOf(paymentChannelsAbi, 'error')).toEqual(
      expect.arrayContaining(['ChannelExists', 'ChannelNotFound', 'NotPayer', 'WrongSigner']),
    )
  })
})

describe('bytecode', () => {
  it.each([
    ['gotongToken', gotongTokenBytecode],
    ['accessPass', accessPassBytecode],
    ['paymentChannels', paymentChannelsBytecode],
  ])('%s is creation code as hex', (_, bytecode) => {
    expect(bytecode).toMatch(/^0x(?:[0-9a-f]{2})+$/)
    expect(bytecode.length).toBeGreaterThan(2 + 2 * 1_000)
    // cbor_metadata = false: no trailer, whose CBOR map would hold the key "solc" (0x64 'solc')
    // and a 3-byte version (0x43).
    expect(bytecode).not.toContain('64736f6c6343')
  })

  it.each([
    ['GotongToken', gotongTokenAbi, gotongTokenBytecode],
    ['AccessPass', accessPassAbi, accessPassBytecode],
    ['PaymentChannels', paymentChannelsAbi, paymentChannelsBytecode],
  ] as const)('%s matches the forge artifact', (name, abi, bytecode) => {
    const artifact = JSON.parse(
      readFileSync(path.join(packageDir, 'out', `${name}.sol`, `${name}.json`), 'utf8'),
    )
    expect(bytecode).toBe(artifact.bytecode.object)
    expect(abi).toHaveLength(artifact.abi.length)
  })
})

describe('scripts/generate.mjs', () => {
  const dirs = [
    mkdtempSync(path.join(tmpdir(), 'gotong-gen-')),
    mkdtempSync(path.join(tmpdir(), 'gotong-gen-')),
  ]
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  })

  it('writes the same bytes on every run, matching src/generated', () => {
    for (const dir of dirs) {
      execFileSync(process.execPath, ['scripts/generate.mjs', '--out', dir], { cwd: packageDir })
    }
    const files = readdirSync(generatedDir).sort()
    expect(files).toEqual([
      'accessPass.ts',
      'alwaysDenyPredicate.ts',
      'erc1155HoldingPredicate.ts',
      'erc20MinBalancePredicate.ts',
      'erc721HoldingPredicate.ts',
      'gotongToken.ts',
      'identityRegistry.ts',
      'paymentChannels.ts',
      'providerStake.ts',
      'receiptFeedbackGateway.ts',
      'reputationRegistry.ts',
      'toolDirectory.ts',
      'validationRegistry.ts',
    ])
    for (const file of files) {
      const built = readFileSync(path.join(generatedDir, file))
      for (const dir of dirs) expect(readFileSync(path.join(dir, file)).equals(built)).toBe(true)
    }
  })

  it('marks each file as generated and ends it with a newline', () => {
    const text = readFileSync(path.join(generatedDir, 'gotongToken.ts'), 'utf8')
    expect(text.split('\n', 1)[0]).toBe(
      '// Generated by scripts/generate.mjs from contracts/GotongToken.sol; do not edit.',
    )
    expect(text.endsWith("'\n")).toBe(true)
  })
})
