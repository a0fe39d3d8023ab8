import { expect, test } from 'vitest'
import { peerOf } from './limitPeers.js'

test('a peer is an IPv4 address, or the /64 of an IPv6 one', () => {
  expect(
    [
      '203.0.113.7',
      '::ffff:203.0.113.7',
      '2001:db8:1:2:aaaa:bbbb:cccc:dddd',
      '2001:db8:1:2::1',
      '2001:0db8:0001:0002:0000:0000:0000:0009',
      '2001:db8::1',
      'fe80::1%eth0',
      '::1',
      undefined,
    ].map(peerOf),
  ).toEqual([
    '203.0.113.7',
    '203.0.113.7',
    '2001:db8:1:2::/64',
    '2001:db8:1:2::/64',
    '2001:db8:1:2::/64',
    '2001:db8:0:0::/64',
    'fe80:0:0:0::/64',
    '0:0:0:0::/64',
    undefined,
  ])
})
