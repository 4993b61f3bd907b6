import { canonicalAddress } from '../../net/ip-address.js';
import type { PortOwner, PortSocket, TcpState } from '../port-report.js';
import type { CommandRunner, PlatformBackend } from './backend.js';

/**
 * `netstat -ano` state words, English and localised (German, French, Spanish), matched after
 * removing everything but letters, digits and `_`: the console code page mangles non-ASCII
 * letters (ABHÖREN arrives as `ABH™REN` or `ABH�REN`), so those are matched loosely.
 */
const stateWords: readonly (readonly [RegExp, TcpState])[] = [
  [/^(LISTENING|LISTEN|ABH.{1,2}REN|ABHOEREN|ESCUCHANDO|A_L_?[EÉ]COUTE|ECOUTE)$/, 'LISTEN'],
  [/^(ESTABLISHED|HERGESTELLT|ESTABLECIDO|ESTABLI|[EÉ]TABLIE?)$/, 'ESTABLISHED'],
  [/^(TIME_WAIT|WARTEND|TIEMPO_ESPERA|ATTENTE_TEMPS)$/, 'TIME_WAIT'],
  [/^(CLOSE_WAIT|SCHLIESSEN_WARTEN|CERRAR_ESPERA|FERMER_ATTENTE)$/, 'CLOSE_WAIT'],
  [/^(SYN_SENT|SYN_GESENDET|SYN_ENVIADO|SYN_ENVOY.{1,2})$/, 'SYN_SENT'],
  [/^(SYN_RECEIVED|SYN_EMPFANGEN|SYN_RECIBIDO|SYN_RE.{1,2}U)$/, 'SYN_RECV'],
  [/^(FIN_WAIT_1|FIN_WARTEN_1|FIN_ESPERA_1|FIN_ATTENTE_1)$/, 'FIN_WAIT1'],
  [/^(FIN_WAIT_2|FIN_WARTEN_2|FIN_ESPERA_2|FIN_ATTENTE_2)$/, 'FIN_WAIT2'],
  [/^(LAST_ACK|LETZTE_BEST.{1,2}TIGUNG|LETZTES_ACK|ÚLTIMO_ACK|DERNIER_ACK)$/, 'LAST_ACK'],
  [/^(CLOSING|SCHLIESSEND|CERRANDO|FERMETURE)$/, 'CLOSING'],
  [/^(CLOSED|GESCHLOSSEN|CERRADO|FERM.{1,2})$/, 'CLOSE'],
];

export function win32State(word: string): TcpState | undefined {
  const upper = word.toUpperCase();
  return stateWords.find(([pattern]) => pattern.test(upper))?.[1];
}

function splitWindowsEndpoint(text: string): { family: 4 | 6; address: string; port: number } {
  const colon = text.lastIndexOf(':');
  const raw = text.slice(0, colon);
  const family: 4 | 6 = raw.startsWith('[') ? 6 : 4;
  const port = text.slice(colon + 1);
  return {
    family,
    address: canonicalAddress(raw.replace(/^\[|\]$/g, ''), family),
    port: port === '*' ? 0 : Number(port),
  };
}

export interface Win32NetstatResult {
  readonly sockets: PortSocket[];
  /** State words no table knows (a locale rebind has not seen): use Get-NetTCPConnection. */
  readonly unknownStates: string[];
}

/**
 * Parses `netstat -ano [-p tcp|tcpv6]` in any language: the header is ignored, rows are
 * `TCP local foreign state pid`. TIME_WAIT rows have pid 0 (no process owns them).
 */
export function parseWin32Netstat(text: string, port?: number): Win32NetstatResult {
  const sockets: PortSocket[] = [];
  const unknownStates: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*TCP\s+(\S+)\s+(\S+)\s+(\S+)\s+(\d+)\s*$/.exec(line);
    if (match === null) continue;
    const [, local = '', remote = '', word = '', pid = ''] = match;
    const l = splitWindowsEndpoint(local);
    if (port !== undefined && l.port !== port) continue;
    const state = win32State(word);
    if (state === undefined) {
      unknownStates.push(word);
      continue;
    }
    const r = splitWindowsEndpoint(remote);
    sockets.push({
      family: l.family,
      localAddress: l.address,
      localPort: l.port,
      remoteAddress: r.address,
      remotePort: r.port,
      state,
      ...(Number(pid) > 0 ? { pid: Number(pid) } : {}),
    });
  }
  return { sockets, unknownStates };
}

/** Get-NetTCPConnection's State enum names (the same in every language). */
const cimStates: Record<string, TcpState> = {
  Listen: 'LISTEN',
  Established: 'ESTABLISHED',
  SynSent: 'SYN_SENT',
  SynReceived: 'SYN_RECV',
  FinWait1: 'FIN_WAIT1',
  FinWait2: 'FIN_WAIT2',
  TimeWait: 'TIME_WAIT',
  Closed: 'CLOSE',
  CloseWait: 'CLOSE_WAIT',
  LastAck: 'LAST_ACK',
  Closing: 'CLOSING',
  DeleteTCB: 'CLOSE',
};

/** Splits one CSV line (ConvertTo-Csv quotes every field). */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  const pattern = /"((?:[^"]|"")*)"|([^,]*)/g;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(line)) !== null) {
    fields.push(match[1] !== undefined ? match[1].replace(/""/g, '"') : (match[2] ?? ''));
    if (pattern.lastIndex >= line.length) break;
    pattern.lastIndex++; // skip the comma
  }
  return fields;
}

/** The PowerShell command whose output {@link parseGetNetTcpConnection} reads. */
export const getNetTcpConnectionScript = (port: number) =>
  `Get-NetTCPConnection -LocalPort ${port} -ErrorAction SilentlyContinue | Select-Object LocalAddress,LocalPort,RemoteAddress,RemotePort,State,OwningProcess | ConvertTo-Csv -NoTypeInformation`;

/** Parses `Get-NetTCPConnection | Select-Object ... | ConvertTo-Csv -NoTypeInformation`. */
export function parseGetNetTcpConnection(text: string, port?: number): PortSocket[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = csvFields(lines.shift() ?? '');
  const at = (name: string) => header.indexOf(name);
  const sockets: PortSocket[] = [];
  for (const line of lines) {
    const f = csvFields(line);
    const localRaw = f[at('LocalAddress')] ?? '';
    const family: 4 | 6 = localRaw.includes(':') ? 6 : 4;
    const localPort = Number(f[at('LocalPort')]);
    if (port !== undefined && localPort !== port) continue;
    const state = cimStates[f[at('State')] ?? ''];
    if (state === undefined) continue;
    const pid = Number(f[at('OwningProcess')]);
    sockets.push({
      family,
      localAddress: canonicalAddress(localRaw, family),
      localPort,
      remoteAddress: canonicalAddress(f[at('RemoteAddress')] ?? '', family),
      remotePort: Number(f[at('RemotePort')]),
      state,
      ...(pid > 0 && state !== 'TIME_WAIT' ? { pid } : {}),
    });
  }
  return sockets;
}

/** The PowerShell command whose output {@link parseWin32Processes} reads. */
export const processScript = (pids: readonly number[]) =>
  `Get-CimInstance Win32_Process -Filter "${pids.map((p) => `ProcessId=${p}`).join(' OR ')}" | Select-Object ProcessId,ParentProcessId,Name,CommandLine | ConvertTo-Csv -NoTypeInformation`;

/** Parses the CSV of {@link processScript}. */
export function parseWin32Processes(text: string): PortOwner[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = csvFields(lines.shift() ?? '');
  const at = (name: string) => header.indexOf(name);
  return lines.map((line) => {
    const f = csvFields(line);
    const name = f[at('Name')] ?? '';
    const commandLine = f[at('CommandLine')] || name;
    return {
      pid: Number(f[at('ProcessId')]),
      known: true,
      command: name,
      commandLine,
      parentPid: Number(f[at('ParentProcessId')]),
    };
  });
}

const powershell = (run: CommandRunner, script: string) =>
  run('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', script]);

/** Windows: `netstat -ano` (fast, any language), Get-NetTCPConnection when a word is unknown. */
export function createWin32Backend(run: CommandRunner): PlatformBackend {
  return {
    platform: 'win32',
    async listSockets(port) {
      const { sockets, unknownStates } = parseWin32Netstat(await run('netstat', ['-ano']), port);
      if (unknownStates.length === 0) return sockets;
      return parseGetNetTcpConnection(await powershell(run, getNetTcpConnectionScript(port)), port);
    },
    async findOwners(sockets) {
      const pids = [
        ...new Set(sockets.map((s) => s.pid).filter((p): p is number => p !== undefined)),
      ];
      if (pids.length === 0) return { sockets: [...sockets], owners: [] };
      const owners = parseWin32Processes(await powershell(run, processScript(pids)));
      return { sockets: [...sockets], owners };
    },
    facts() {
      return { ephemeralRange: [49152, 65535], unprivilegedPortStart: 0, privileged: true };
    },
  };
}
