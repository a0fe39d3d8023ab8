import type { Server } from 'node:http'
import type { Socket } from 'node:net'

/**
 * Holds at most `max` open connections per peer: one past it is closed as it opens, so one
 * address cannot take every connection the server will hold. A peer is an IPv4 address (an
 * IPv4-mapped IPv6 one counts as its IPv4 address) or an IPv6 /64, since a single host usually
 * has a whole /64 to pick addresses from.
 */
export function limitPeers(http: Server, max: number): void {
  const open = new Map<string, number>()
  http.on('connection', (socket: Socket) => {
    const peer = peerOf(socket.remoteAddress)
    if (peer === undefined) return
    const count = (open.get(peer) ?? 0) + 1
    if (count > max) {
      socket.destroy()
      return
    }
    open.set(peer, count)
    socket.once('close', () => {
      const left = (open.get(peer) ?? 1) - 1
      if (left === 0) open.delete(peer)
      else open.set(peer, left)
    })
  })
}

/** What connections are counted under: an IPv4 address, or an IPv6 address's /64 prefix. */
export function peerOf(address: string | undefined): string | undefined {
  if (address === undefined) return undefined
  if (!address.includes(':')) return address
  const bare = address.split('%')[0]!.toLowerCase()
  if (bare.startsWith('::ffff:') && bare.includes('.')) return bare.slice(7)
  const [head = '', tail] = bare.split('::')
  const groups = head === '' ? [] : head.split(':')
  if (tail !== undefined) {
    const rest = tail === '' ? [] : tail.split(':')
    while (groups.length + rest.length < 8) groups.push('0')
    groups.push(...rest)
  }
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`
}
