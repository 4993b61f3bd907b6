// Readiness of a freshly started container, proven to come from that container: its own
// network namespace listens, the host mapping answers, its health check passes, or its
// own log matched. A TCP connect to docker-proxy alone proves nothing (it accepts before
// the app listens).
import { request } from 'node:http';
import { connect } from 'node:net';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { RebindError } from '@rebind/core';
import { indentOutput } from '@rebind/core/internal';
import { readLogs } from './container-logs.js';
import { listeningInside } from './listening-inside.js';

/**
 * When a started container counts as ready.
 * - `'listening'`: every published container port has a listener inside the container and
 *   the host mapping accepts a connection (the default when ports are published);
 * - `'healthcheck'`: the image's (or `healthcheck` option's) check reports healthy;
 * - `'started'`: as soon as the engine started it (the default without ports);
 * - `{ http }`: GET `http` through the host mapping of `port` (default: the first
 *   published port) answers `status` (default 200-399), with `body` in it when given;
 * - `{ log }`: the container's output matches `log`.
 */
export type ReadyCheck =
  | 'listening'
  | 'healthcheck'
  | 'started'
  | {
      readonly http: string;
      readonly port?: number;
      readonly status?: number;
      readonly body?: string | RegExp;
    }
  | { readonly log: RegExp };

export interface ReadyContext {
  readonly docker: Docker;
  readonly id: string;
  readonly name: string;
  readonly pid: number;
  readonly host: string;
  /** container port -> host port */
  readonly ports: ReadonlyMap<number, number>;
  /** What is left of the start deadline, in ms. */
  readonly timeout: number;
  /** The caller's `timeout`, for messages. */
  readonly totalTimeout: number;
  readonly signal: AbortSignal | undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function describeCheck(check: ReadyCheck): string {
  if (typeof check === 'string') return check;
  if ('http' in check) return `GET ${check.http}`;
  return `log ${String(check.log)}`;
}

function accepts(host: string, port: number, holdMs: number): Promise<boolean> {
  if (!Number.isInteger(port) || port <= 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let timer: NodeJS.Timeout | undefined;
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.resetAndDestroy();
      resolve(ok);
    };
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
    socket.once('end', () => done(false));
    socket.once('connect', () => {
      if (holdMs === 0) done(true);
      else timer = setTimeout(() => done(true), holdMs);
    });
  });
}

function httpStatus(
  host: string,
  port: number,
  path: string,
): Promise<{ status: number; body: string } | undefined> {
  return new Promise((resolve) => {
    const req = request({ host, port, path, agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', () => resolve(undefined));
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

function probeFor(
  check: ReadyCheck,
  ctx: ReadyContext,
): { probe: () => Promise<boolean>; close?: () => void } {
  const first = [...ctx.ports.keys()][0];
  const hostPortOf = (containerPort: number) => {
    const port = ctx.ports.get(containerPort);
    if (port === undefined) {
      throw new RebindError(
        'REBIND_INVALID_OPTION',
        `Expected the \`ready.port\` option to be a published container port (${[...ctx.ports.keys()].join(', ') || 'none'}), got \`${containerPort}\` (number).`,
      );
    }
    return port;
  };
  if (check === 'started') return { probe: async () => true };
  if (check === 'listening') {
    return {
      probe: async () => {
        for (const [containerPort, hostPort] of ctx.ports) {
          const inside = listeningInside(ctx.pid, containerPort);
          if (inside === false) return false;
          // Inside proven: a plain connect through the mapping is enough. Not visible (a
          // remote engine): the proxy must keep the connection open, which it does only
          // once the app inside accepted its own.
          if (!(await accepts(ctx.host, hostPort, inside === true ? 0 : 30))) return false;
        }
        return true;
      },
    };
  }
  if (check === 'healthcheck') {
    return {
      probe: async () => {
        const info = await ctx.docker.getContainer(ctx.id).inspect();
        if (info.State.Health === undefined) {
          throw new RebindError(
            'REBIND_INVALID_OPTION',
            `Expected the \`ready\` option to be 'healthcheck' only for an image with a HEALTHCHECK (or with the \`healthcheck\` option), got 'healthcheck' for container ${ctx.name}, which has none.`,
          );
        }
        return info.State.Health.Status === 'healthy';
      },
    };
  }
  if ('http' in check) {
    const port = hostPortOf(check.port ?? first ?? 0);
    return {
      probe: async () => {
        const answer = await httpStatus(ctx.host, port, check.http);
        if (answer === undefined) return false;
        const statusOk =
          check.status === undefined
            ? answer.status >= 200 && answer.status < 400
            : answer.status === check.status;
        if (!statusOk) return false;
        if (check.body === undefined) return true;
        return typeof check.body === 'string'
          ? answer.body.includes(check.body)
          : check.body.test(answer.body);
      },
    };
  }
  let text = '';
  const out = new PassThrough();
  out.on('data', (d: Buffer) => (text += d.toString('utf8')));
  let stream: NodeJS.ReadableStream | undefined;
  const opening = ctx.docker
    .getContainer(ctx.id)
    .logs({ follow: true, stdout: true, stderr: true })
    .then((s) => {
      stream = s;
      ctx.docker.modem.demuxStream(s, out, out);
    })
    .catch(() => {});
  return {
    probe: async () => {
      await opening;
      return check.log.test(text);
    },
    close: () => {
      (stream as { destroy?: () => void } | undefined)?.destroy?.();
      out.destroy();
    },
  };
}

/** Resolves when `check` holds; rejects if the container exits, on timeout, or on abort. */
export async function waitReady(check: ReadyCheck, ctx: ReadyContext): Promise<void> {
  const { probe, close } = probeFor(check, ctx);
  const deadline = performance.now() + ctx.timeout;
  let lastInspect = Number.NEGATIVE_INFINITY;
  try {
    for (;;) {
      if (ctx.signal?.aborted) {
        throw new RebindError(
          'REBIND_ABORTED',
          `Waiting for container ${ctx.name} to be ready was aborted.`,
          { cause: ctx.signal.reason },
        );
      }
      let now = performance.now();
      if (now - lastInspect > 100) {
        lastInspect = now;
        const info = await ctx.docker.getContainer(ctx.id).inspect();
        if (!info.State.Running) {
          const logs = await readLogs(ctx.docker, ctx.id);
          throw new RebindError(
            'REBIND_PROCESS_EXITED',
            `Container ${ctx.name} (id ${ctx.id.slice(0, 12)}) exited with code ${info.State.ExitCode} before it was ready (${describeCheck(check)}). Its output:\n${indentOutput(logs || '(none)')}`,
            { details: { id: ctx.id, exitCode: info.State.ExitCode }, attachments: { logs } },
          );
        }
      }
      if (await probe()) return;
      now = performance.now();
      if (now > deadline) {
        const logs = await readLogs(ctx.docker, ctx.id);
        throw new RebindError(
          'REBIND_START_TIMEOUT',
          `Container ${ctx.name} (id ${ctx.id.slice(0, 12)}) was not ready (${describeCheck(check)}) within ${ctx.totalTimeout} ms. Its output:\n${indentOutput(logs || '(none)')}`,
          { details: { id: ctx.id, timeout: ctx.timeout }, attachments: { logs } },
        );
      }
      await sleep(check === 'healthcheck' ? 20 : 3);
    }
  } finally {
    close?.();
  }
}
