// The sample quotes and collateral the dcap-qvl repository publishes (github.com/Phala-Network/
// dcap-qvl, `sample/`, MIT: see fixtures/README.md), with the times they are checked at: each
// collateral's TCB info and QE identity are valid for a month, so the time is pinned.
import { readFileSync } from 'node:fs'
import type { Hex } from 'viem'

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url)
const bytes = (name: string) => new Uint8Array(readFileSync(fixture(name)))
const json = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(fixture(name), 'utf8'))

/** A genuine TDX v4 quote (TDX 1.0 report), up to date under its collateral. */
export const genuine = {
  quote: bytes('tdx_quote'),
  collateral: json('tdx_quote_collateral.json'),
  /** Inside the collateral's window (TCB info 2025-06-19 to 2025-07-19). */
  now: new Date('2025-07-01T00:00:00Z'),
  measurements: {
    mrTd: '0x91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7',
    rtmr0:
      '0x44c0197b39157fdd7a4dcc44767f9d6b0bb3977c7a8e347b8492f827fe9d9e5c48aca29b220b80b6a540cf994b9bc9c0',
    rtmr1:
      '0x0084452c01668329d4bc06acdf58a7205c26743304509973949e5619bf81a6a7aea8c323c173019b3093d54e579e9378',
    rtmr2:
      '0xd833feef2cd945148aa38ead2c53e9b7f138190aaaebfc551dccd829fc207aa3ba80b70870d7330733642e01d48c3132',
    rtmr3: `0x${'00'.repeat(48)}`,
  } as const satisfies Record<string, Hex>,
  /** What the sample's TD put in its report data (not a gotong binding). */
  reportData:
    '0x9a9d48e7f6799642d3d1b34e1e5e1742d4bb02dd6ddd551862c1211d35c304f9eca3efdbb481601c163cf52493d6e44aed55d51ec39b7e518fadb92c2b523f20',
  /** Where the report data starts: a 48-byte header, then 520 bytes of TD report before it. */
  reportDataOffset: 48 + 520,
}

/** A genuine TDX v5 quote (TDX 1.5 report) from a platform whose TCB Intel no longer lists. */
export const outdated = {
  quote: bytes('tdx_quote_outdated'),
  collateral: json('tdx_quote_outdated_collateral.json'),
  /** Inside the collateral's window (TCB info 2026-02-18 to 2026-03-20). */
  now: new Date('2026-03-01T00:00:00Z'),
  mrTd: '0x273828c46252fcbdd8ad2dd907130222b03466d52a2911d70c1a5950895d6bd1ae451d382d5a9b1b4c0ed0e5ae9a3dbd',
} as const

/** anvil account 1, the provider of every vector. */
export const provider = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' as const
