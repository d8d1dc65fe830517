/**
 * Which IP addresses a link preview may connect to. The server fetches URLs
 * that users choose, so everything that reaches the machine itself or its
 * private networks is refused: private and carrier-grade NAT ranges, loopback,
 * link-local, unspecified, multicast, broadcast, reserved and documentation
 * ranges, IPv6 unique-local, and every IPv6 form that embeds an IPv4 address
 * (mapped, compatible, NAT64, 6to4, Teredo) when the embedded one is refused.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** null: the address is public; otherwise why it is refused. */
export type Refusal = string | null;

/** IPv4 ranges refused, as [first octets, prefix length, why]. */
const IPV4_REFUSED: readonly [number, number, string][] = [
  [0x00000000, 8, 'unspecified ("this network")'],
  [0x0a000000, 8, 'private'],
  [0x64400000, 10, 'carrier-grade NAT'],
  [0x7f000000, 8, 'loopback'],
  [0xa9fe0000, 16, 'link-local'],
  [0xac100000, 12, 'private'],
  [0xc0000000, 24, 'reserved (IETF protocol assignments)'],
  [0xc0000200, 24, 'documentation'],
  [0xc0a80000, 16, 'private'],
  [0xc6120000, 15, 'reserved (benchmarking)'],
  [0xc6336400, 24, 'documentation'],
  [0xcb007100, 24, 'documentation'],
  [0xe0000000, 4, 'multicast'],
  [0xf0000000, 4, 'reserved (and broadcast)'],
];

function ipv4Number(address: string): number {
  return address.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
}

function classifyIpv4Number(value: number): Refusal {
  for (const [base, prefix, why] of IPV4_REFUSED) {
    const size = 2 ** (32 - prefix);
    if (value >= base && value < base + size) return why;
  }
  return null;
}

/** The eight 16-bit groups of an IPv6 address (a trailing dotted quad included). */
export function ipv6Groups(address: string): number[] | null {
  let text = address;
  const lastColon = text.lastIndexOf(':');
  const quad = text.slice(lastColon + 1);
  if (quad.includes('.')) {
    // A trailing dotted quad is the last two groups written in decimal.
    if (!isIPv4(quad)) return null;
    const value = ipv4Number(quad);
    text = `${text.slice(0, lastColon + 1)}${Math.floor(value / 65536).toString(16)}:${(value % 65536).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parse = (part: string | undefined) =>
    part ? part.split(':').map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? Number.parseInt(g, 16) : Number.NaN)) : [];
  const head = parse(halves[0]);
  const rest = parse(halves[1]);
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...rest];
  if (groups.length !== 8 || groups.some((g) => !Number.isInteger(g))) return null;
  return groups;
}

function embeddedIpv4(high: number, low: number): number {
  return high * 65536 + low;
}

function classifyIpv6(groups: number[]): Refusal {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = groups;
  const zeroTo5 = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (zeroTo5 && g5 === 0 && g6 === 0 && g7 === 0) return 'unspecified';
  if (zeroTo5 && g5 === 0 && g6 === 0 && g7 === 1) return 'loopback';
  // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible, deprecated), ::ffff:0:a.b.c.d (translated).
  if (zeroTo5 && (g5 === 0xffff || g5 === 0)) return embedded(embeddedIpv4(g6, g7), 'IPv4-mapped or -compatible');
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0xffff && g5 === 0) {
    return embedded(embeddedIpv4(g6, g7), 'IPv4-translated');
  }
  // 64:ff9b::/96 (NAT64) and 64:ff9b:1::/48 (local-use NAT64) reach IPv4 through a translator.
  if (g0 === 0x64 && g1 === 0xff9b) {
    if (g2 === 1) return 'local-use NAT64';
    if (g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return embedded(embeddedIpv4(g6, g7), 'NAT64');
  }
  if (g0 === 0x2002) return embedded(embeddedIpv4(g1, g2), '6to4');
  // Teredo: the client's IPv4 address is stored inverted in the last 32 bits.
  if (g0 === 0x2001 && g1 === 0) return embedded(embeddedIpv4(g6 ^ 0xffff, g7 ^ 0xffff), 'Teredo');
  if ((g0 & 0xfe00) === 0xfc00) return 'unique-local';
  if ((g0 & 0xffc0) === 0xfe80) return 'link-local';
  if ((g0 & 0xffc0) === 0xfec0) return 'site-local (deprecated)';
  if ((g0 & 0xff00) === 0xff00) return 'multicast';
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return 'discard-only';
  if (g0 === 0x2001 && g1 === 0xdb8) return 'documentation';
  // Only global unicast (2000::/3) is routed on the internet.
  if ((g0 & 0xe000) !== 0x2000) return 'reserved';
  return null;
}

function embedded(ipv4: number, form: string): Refusal {
  const why = classifyIpv4Number(ipv4);
  return why ? `${form} form of a ${why} address` : null;
}

/**
 * Why `address` (an IPv4 or IPv6 literal, optionally `[bracketed]` or with a
 * `%zone`) may not be connected to, or null when it is a public address.
 * Anything that is not an IP literal is refused.
 */
export function refusalOf(address: string): Refusal {
  let text = address.trim();
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  const zone = text.indexOf('%');
  // A zone only means something for link-local addresses: refused either way.
  if (zone >= 0) return 'scoped (zone) address';
  if (isIPv4(text)) return classifyIpv4Number(ipv4Number(text));
  if (isIPv6(text)) {
    const groups = ipv6Groups(text.toLowerCase());
    return groups ? classifyIpv6(groups) : 'unparseable IPv6 address';
  }
  return 'not an IP address';
}
