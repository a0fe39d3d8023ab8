import { agreementExpiry, offerExpiry } from '../../machine/timers.js'

/** The provider machine's named delays. */
export const providerDelays = { offerExpiry, agreementExpiry }

/** A provider timer's delay name. */
export type ProviderDelay = keyof typeof providerDelays
