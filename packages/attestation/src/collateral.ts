import { z } from 'zod'

const bytes = z.union([
  z.string().regex(/^([0-9a-fA-F]{2})*$/),
  z.array(z.number().int().min(0).max(255)),
])

/**
 * Intel DCAP quote collateral as a PCCS serves it and `@phala/dcap-qvl` reads it: the PCK and
 * root CRLs, TCB info and QE identity with their signatures and issuer chains (PEM).
 * Byte fields are hex strings or byte arrays. Unknown keys are kept for the verifier.
 */
export const Collateral = z.looseObject({
  pck_crl_issuer_chain: z.string(),
  root_ca_crl: bytes,
  pck_crl: bytes,
  tcb_info_issuer_chain: z.string(),
  tcb_info: z.string(),
  tcb_info_signature: bytes,
  qe_identity_issuer_chain: z.string(),
  qe_identity: z.string(),
  qe_identity_signature: bytes,
})
export type Collateral = z.infer<typeof Collateral>
