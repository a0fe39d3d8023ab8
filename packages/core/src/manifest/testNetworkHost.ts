import { InvalidInputError } from '../errors/validation.js'

/** The environment variable that declares a test network: a private IPv4 range in CIDR form. */
export const testNetworkVariable = 'GOTONG_TEST_NETWORK'

// RFC 1918: a test network must be one of these, so no public host can ever be declared one.
const privateRanges: readonly [number, number][] = [
  [ip(10, 0, 0, 0), 8],
  [ip(172, 16, 0, 0), 12],
  [ip(192, 168, 0, 0), 16],
]

/**
 * Whether `host` is an IPv4 address inside the test network declared by `GOTONG_TEST_NETWORK`
 * (e.g. `10.77.3.0/24`, what `gotong swarm --hosts 3` declares for its network namespaces).
 * False when the variable is unset: there is no test network by default. A declared range
 * outside RFC 1918's private ranges is refused (`TEST_NETWORK_INVALID`), never widened.
 *
 * @example testNetworkHost('10.77.3.2') // true under GOTONG_TEST_NETWORK=10.77.3.0/24
 */
export function testNetworkHost(host: string): boolean {
  // Read through globalThis: core also loads outside Node, where there is no environment.
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
    ?.env
  const declared = env?.[testNetworkVariable]
  if (!declared) return false
  const range = parseRange(declared)
  const address = parseAddress(host)
  return address !== undefined && inRange(address, range)
}

function parseRange(value: string): [number, number] {
  const match = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(value)
  const base = match ? parseAddress(match[1]!) : undefined
  const bits = Number(match?.[2])
  const range: [number, number] = [base ?? 0, bits]
  if (base === undefined || bits < 8 || bits > 32 || !privateRanges.some((p) => within(range, p)))
    throw new InvalidInputError(
      testNetworkVariable,
      [
        {
          rule: 'not_private_range',
          path: '',
          message: `${JSON.stringify(value)} is not a private IPv4 range in CIDR form (inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16)`,
        },
      ],
      'TEST_NETWORK_INVALID',
    )
  return range
}

function parseAddress(value: string): number | undefined {
  const parts = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(value)?.slice(1).map(Number)
  if (!parts || parts.some((p) => p > 255)) return undefined
  return ip(parts[0]!, parts[1]!, parts[2]!, parts[3]!)
}

function ip(a: number, b: number, c: number, d: number): number {
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0
}

function inRange(address: number, [base, bits]: [number, number]): boolean {
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0
  return (address & mask) >>> 0 === (base & mask) >>> 0
}

/** Whether range `inner` lies wholly inside range `outer`. */
function within(inner: [number, number], outer: [number, number]): boolean {
  return inner[1] >= outer[1] && inRange(inner[0], outer)
}
