import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** A TCP socket a process listens on, as the kernel reports it. */
export interface ListeningSocket {
  address: string;
  port: number;
}

/**
 * The TCP sockets process `pid` listens on, read from Linux's /proc (its open socket inodes, matched
 * against /proc/net/tcp and tcp6). Undefined where there is no /proc: callers skip the check there.
 */
export function listeningSockets(pid: number): ListeningSocket[] | undefined {
  if (!existsSync(`/proc/${pid}/fd`) || !existsSync('/proc/net/tcp')) return undefined;
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match?.[1]) inodes.add(match[1]);
    } catch {
      // closed between the listing and the read
    }
  }
  const sockets: ListeningSocket[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [local, state, inode] = [fields[1], fields[3], fields[9]];
      // State 0A is LISTEN.
      if (!local || state !== '0A' || !inode || !inodes.has(inode)) continue;
      const [hexAddress = '', hexPort = ''] = local.split(':');
      sockets.push({ address: decodeAddress(hexAddress), port: parseInt(hexPort, 16) });
    }
  }
  return sockets;
}

/** /proc writes addresses as hex in host byte order, 32 bits at a time (little-endian here). */
function decodeAddress(hex: string): string {
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((word) => (word.match(/../g) ?? []).reverse().map((byte) => parseInt(byte, 16)));
  if (bytes.length === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < bytes.length; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return groups
    .join(':')
    .replace(/\b(?:0:)+0\b/, ':')
    .replace(/:{3,}/, '::');
}
