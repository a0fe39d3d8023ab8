// What @phala/dcap-qvl 0.3.9 really exports at run time, against what its .d.ts declares:
// this package relies only on the first list, and fails here first if an upgrade changes it.
import dcapQvl from '@phala/dcap-qvl'
import { expect, test } from 'vitest'

test('dcap-qvl exports verify and Quote, not the report classes its types declare', () => {
  const runtime = dcapQvl as unknown as Record<string, unknown>
  expect(typeof runtime.verify).toBe('function')
  expect(typeof runtime.Quote).toBe('function')
  for (const declaredOnly of ['TDReport10', 'TDReport15', 'Header', 'getCollateralForFmspc'])
    expect(runtime[declaredOnly]).toBeUndefined()
})
