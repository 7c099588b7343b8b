/** `Fn::Cidr`: split an address block into `count` subnets of `cidrBits` host bits (IPv4 and IPv6). */

export function cidrSubnets(ipBlock: string, count: number, cidrBits: number): string[] {
  const [address, prefixText] = ipBlock.split('/');
  const prefix = Number(prefixText);
  const v6 = address?.includes(':') ?? false;
  const width = v6 ? 128 : 32;
  if (address === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > width) {
    throw new Error(`"${ipBlock}" is not a CIDR block`);
  }
  const newPrefix = width - cidrBits;
  if (!Number.isInteger(cidrBits) || cidrBits < 0 || newPrefix < prefix) {
    throw new Error(`cidrBits ${cidrBits} does not fit in ${ipBlock}`);
  }
  if (
    !Number.isInteger(count) ||
    count < 1 ||
    count > 256 ||
    BigInt(count) > 1n << BigInt(newPrefix - prefix)
  ) {
    throw new Error(`cannot make ${count} subnets of /${newPrefix} in ${ipBlock}`);
  }
  const base = v6 ? parseV6(address) : parseV4(address);
  const hostMask = (1n << BigInt(width - prefix)) - 1n;
  const network = base & ~hostMask & ((1n << BigInt(width)) - 1n);
  const out: string[] = [];
  for (let i = 0n; i < BigInt(count); i++) {
    const subnet = network + (i << BigInt(cidrBits));
    out.push(`${v6 ? formatV6(subnet) : formatV4(subnet)}/${newPrefix}`);
  }
  return out;
}

function parseV4(address: string): bigint {
  const parts = address.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`"${address}" is not an IPv4 address`);
  }
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n);
}

function formatV4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join('.');
}

function parseV6(address: string): bigint {
  const [head = '', tail] = address.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) {
    throw new Error(`"${address}" is not an IPv6 address`);
  }
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function formatV6(value: bigint): string {
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((value >> s) & 0xffffn).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}
