import { canonicalAddress } from '../../net/ip-address.js';
import type { PortOwner, PortSocket, TcpState } from '../port-report.js';
import type { CommandRunner, PlatformBackend } from './backend.js';

/** BSD state names (netstat, lsof) to the kernel names rebind reports. */
const bsdStates: Record<string, TcpState> = {
  LISTEN: 'LISTEN',
  ESTABLISHED: 'ESTABLISHED',
  SYN_SENT: 'SYN_SENT',
  SYN_RCVD: 'SYN_RECV',
  SYN_RECEIVED: 'SYN_RECV',
  FIN_WAIT_1: 'FIN_WAIT1',
  FIN_WAIT_2: 'FIN_WAIT2',
  TIME_WAIT: 'TIME_WAIT',
  CLOSED: 'CLOSE',
  CLOSE_WAIT: 'CLOSE_WAIT',
  LAST_ACK: 'LAST_ACK',
  CLOSING: 'CLOSING',
};

/** `127.0.0.1.8080`, `*.8080`, `::1.5432`, `fe80::1%lo0.80`, `*.*` (port after the last dot). */
function splitBsdEndpoint(text: string, family: 4 | 6): { address: string; port: number } {
  const dot = text.lastIndexOf('.');
  const address = text.slice(0, dot);
  const port = text.slice(dot + 1);
  return { address: canonicalAddress(address, family), port: port === '*' ? 0 : Number(port) };
}

/**
 * Parses `netstat -anv -p tcp` of macOS: the old layout (`... rhiwat shiwat pid epid ...`)
 * and the macOS 15+ one (`... rxbytes txbytes rhiwat shiwat process:pid state ...`, where
 * the process name may hold spaces). Columns are found from the header.
 */
export function parseDarwinNetstat(text: string, port?: number): PortSocket[] {
  const lines = text.split(/\r?\n/);
  const header = lines.find((l) => /^Proto\s/.test(l)) ?? '';
  const columns = header.trim().split(/\s+/);
  // Header tokens after "(state)"; "Local Address" and "Foreign Address" are two tokens each.
  const afterState = columns.slice(columns.indexOf('(state)') + 1);
  const processIndex = afterState.indexOf('process:pid');
  const pidIndex = afterState.indexOf('pid');
  const sockets: PortSocket[] = [];
  for (const line of lines) {
    const match = /^(tcp4|tcp6|tcp46)\s+\d+\s+\d+\s+(\S+)\s+(\S+)\s+([A-Z_0-9]+)\s*(.*)$/.exec(
      line,
    );
    if (match === null) continue;
    const [, proto = '', local = '', remote = '', stateWord = '', rest = ''] = match;
    const state = bsdStates[stateWord];
    if (state === undefined) continue;
    const family: 4 | 6 = proto === 'tcp4' ? 4 : 6;
    const l = splitBsdEndpoint(local, family);
    if (port !== undefined && l.port !== port) continue;
    const r = splitBsdEndpoint(remote, family);
    let pid: number | undefined;
    if (processIndex >= 0) {
      const numbers = rest.trim().split(/\s+/).slice(0, processIndex).join(' ');
      const after = rest.trim().slice(rest.trim().indexOf(numbers) + numbers.length);
      const owner = /^\s*(.*?):(\d+)(?:\s|$)/.exec(after);
      if (owner) pid = Number(owner[2]);
    } else if (pidIndex >= 0) {
      const value = Number(rest.trim().split(/\s+/)[pidIndex]);
      if (Number.isInteger(value)) pid = value;
    }
    sockets.push({
      family,
      localAddress: l.address,
      localPort: l.port,
      remoteAddress: r.address,
      remotePort: r.port,
      state,
      ...(pid !== undefined && pid > 0 ? { pid } : {}),
    });
  }
  return sockets;
}

/** Parses `lsof -nP -iTCP[:port] [-sTCP:LISTEN]` (macOS and Linux print the same columns). */
export function parseLsof(
  text: string,
  port?: number,
): (PortSocket & { command: string; user: string })[] {
  const sockets: (PortSocket & { command: string; user: string })[] = [];
  for (const line of text.split(/\r?\n/)) {
    const match =
      /^(\S+)\s+(\d+)\s+(\S+)\s+\S+\s+(IPv4|IPv6)\s+\S+\s+\S+\s+TCP\s+(\S+?)(?:->(\S+))?\s+\(([A-Z_0-9]+)\)\s*$/.exec(
        line,
      );
    if (match === null) continue;
    const [, command = '', pid = '', user = '', type = '', local = '', remote, stateWord = ''] =
      match;
    const state = bsdStates[stateWord];
    if (state === undefined) continue;
    const family: 4 | 6 = type === 'IPv4' ? 4 : 6;
    const split = (text: string) => {
      const colon = text.lastIndexOf(':');
      return {
        address: canonicalAddress(text.slice(0, colon), family),
        port: text.slice(colon + 1) === '*' ? 0 : Number(text.slice(colon + 1)),
      };
    };
    const l = split(local);
    if (port !== undefined && l.port !== port) continue;
    const r = remote ? split(remote) : { address: family === 4 ? '0.0.0.0' : '::', port: 0 };
    sockets.push({
      family,
      localAddress: l.address,
      localPort: l.port,
      remoteAddress: r.address,
      remotePort: r.port,
      state,
      pid: Number(pid),
      command: command.replace(/\\x20/g, ' '),
      user,
    });
  }
  return sockets;
}

/** Parses `ps -ww -o pid=,ppid=,uid=,user=,comm=,args= -p ...` into owners. */
export function parsePs(text: string): PortOwner[] {
  const owners: PortOwner[] = [];
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line);
    if (match === null) continue;
    const [, pid = '', ppid = '', uid = '', user = '', commandLine = ''] = match;
    const command = (commandLine.split(/\s+/)[0] ?? '').split('/').pop() ?? '';
    owners.push({
      pid: Number(pid),
      known: true,
      command,
      commandLine: commandLine.trim(),
      uid: Number(uid),
      user,
      parentPid: Number(ppid),
    });
  }
  return owners;
}

/** macOS: `netstat -anv -p tcp` (every state, with pids), `ps` for command lines. */
export function createDarwinBackend(run: CommandRunner): PlatformBackend {
  return {
    platform: 'darwin',
    async listSockets(port) {
      return parseDarwinNetstat(await run('netstat', ['-anv', '-p', 'tcp']), port);
    },
    async findOwners(sockets) {
      let withPids: PortSocket[] = [...sockets];
      if (sockets.some((s) => s.pid === undefined && s.state !== 'TIME_WAIT')) {
        const port = sockets[0]?.localPort ?? 0;
        const lsof = parseLsof(await run('lsof', ['-nP', `-iTCP:${port}`]), port);
        withPids = sockets.map((s) => {
          if (s.pid !== undefined) return s;
          const found = lsof.find(
            (l) =>
              l.localAddress === s.localAddress &&
              l.remotePort === s.remotePort &&
              l.state === s.state,
          );
          return found ? { ...s, pid: found.pid } : s;
        });
      }
      const pids = [
        ...new Set(withPids.map((s) => s.pid).filter((p): p is number => p !== undefined)),
      ];
      if (pids.length === 0) return { sockets: withPids, owners: [] };
      const ps = await run('ps', [
        '-ww',
        '-o',
        'pid=,ppid=,uid=,user=,args=',
        '-p',
        pids.join(','),
      ]);
      return { sockets: withPids, owners: parsePs(ps) };
    },
    facts() {
      return {
        ephemeralRange: [49152, 65535],
        unprivilegedPortStart: 0, // since macOS 10.14 any user may bind ports below 1024
        privileged: process.getuid?.() === 0,
      };
    },
  };
}
