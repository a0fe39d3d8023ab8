// `@phala/dcap-qvl` declares more than it exports at run time (its `.d.ts` lists Header,
// TDReport10, getCollateralForFmspc, … which `index.js` does not export). Only what this
// package calls is typed here, from what `node -e "require('@phala/dcap-qvl')"` really has.
import dcapQvl from '@phala/dcap-qvl'
import type { Collateral } from '../collateral.js'

/** The TD report registers dcap-qvl decodes (TDX 1.0 body; TDX 1.5 nests it under `base`). */
export type TdReport = {
  mrTd: Uint8Array
  rtMr0: Uint8Array
  rtMr1: Uint8Array
  rtMr2: Uint8Array
  rtMr3: Uint8Array
  reportData: Uint8Array
}

/** What `verify` returns for a quote whose signatures, chains and TCB level all check out. */
export type DcapVerifiedReport = {
  status: string
  advisory_ids: string[]
  report: { type: 'sgx' | 'td10' | 'td15'; asTd10(): TdReport | null }
}

type DcapQvl = {
  verify(quote: Uint8Array, collateral: Collateral, nowSecs: number): DcapVerifiedReport
}

/**
 * dcap-qvl's `verify` with Intel's production root CA: throws a plain `Error` for any failure,
 * returns the TCB status and the decoded report otherwise. `nowSecs` must be a number.
 */
export const dcapVerify: DcapQvl['verify'] = (quote, collateral, nowSecs) =>
  (dcapQvl as unknown as DcapQvl).verify(quote, collateral, nowSecs)
