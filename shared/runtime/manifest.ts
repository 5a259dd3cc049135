import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../paths';

/**
 * serverless.yml is the single list of functions and their triggers (DESIGN §1). This reads
 * it into plain data the self-hosted runtime and the offline plugin both use.
 */
export interface HttpTrigger {
  method: string;
  /** API Gateway form: `/storage/jobs/{id}`. */
  path: string;
}

export interface NatsTrigger {
  stream: string;
  subject: string;
  /** Durable consumer name; with `perNode` the node id is appended so every node gets every message. */
  durable: string;
  perNode: boolean;
  /** Messages this node works on at once. */
  concurrency: number;
  /** Deliveries before the message is terminated. */
  maxAttempts: number;
  /** Delays (seconds) before redelivery after the 1st, 2nd… failure; the last repeats. */
  backoff: number[];
  /** Seconds without an in-progress heartbeat before the server redelivers. */
  ackWait: number;
}

export interface ScheduleTrigger {
  /** Milliseconds between runs, from `rate(N unit)`. */
  everyMs: number;
}

export interface FunctionSpec {
  name: string;
  /** Module path relative to the code root, without extension or `dist/`: `functions/http/health`. */
  module: string;
  /** Export name: `handler`. */
  exportName: string;
  timeoutSeconds?: number;
  http: HttpTrigger[];
  nats: NatsTrigger[];
  schedules: ScheduleTrigger[];
}

export interface Manifest {
  service: string;
  functions: FunctionSpec[];
}

export function loadManifest(
  file = path.join(PROJECT_ROOT, 'serverless.yml'),
  env: NodeJS.ProcessEnv = process.env,
): Manifest {
  // `${…}` variables are Serverless's; the runtime resolves the `${env:NAME, 'default'}` form
  // (schedule rates use it) as osls does, and leaves the rest alone.
  return manifestFromDoc(parse(resolveEnvVariables(fs.readFileSync(file, 'utf8'), env)));
}

/** `${env:NAME, 'default'}` → the variable's value, or the default when it is unset or empty. */
export function resolveEnvVariables(text: string, env: NodeJS.ProcessEnv): string {
  return text.replace(
    /\$\{env:([A-Za-z_][A-Za-z0-9_]*),\s*'([^']*)'\}/g,
    (_m, name: string, fallback: string) => (env[name] ? env[name] : fallback),
  );
}

/** From the parsed document (or osls's resolved `service`, for the offline plugin). */
export function manifestFromDoc(doc: { service: string; functions?: Record<string, any> }): Manifest {
  return {
    service: doc.service,
    functions: Object.entries(doc.functions ?? {}).map(([name, fn]) => toFunctionSpec(name, fn)),
  };
}

function toFunctionSpec(name: string, fn: any): FunctionSpec {
  const handler = String(fn.handler);
  const dot = handler.lastIndexOf('.');
  const spec: FunctionSpec = {
    name,
    // serverless.yml names the compiled file (`dist/functions/…`); the runtime loads the same
    // module from wherever it runs (sources under jest, dist/ when compiled).
    module: handler.slice(0, dot).replace(/^dist\//, ''),
    exportName: handler.slice(dot + 1),
    timeoutSeconds: fn.timeout,
    http: [],
    nats: [],
    schedules: [],
  };
  for (const event of fn.events ?? []) {
    if (event.httpApi)
      spec.http.push({ method: String(event.httpApi.method).toUpperCase(), path: event.httpApi.path });
    else if (event.nats) spec.nats.push(toNatsTrigger(event.nats));
    else if (event.schedule)
      spec.schedules.push({ everyMs: parseRate(event.schedule.rate ?? event.schedule) });
    else throw new Error(`function ${name}: unsupported event ${Object.keys(event).join(',')}`);
  }
  return spec;
}

export function toNatsTrigger(e: any): NatsTrigger {
  return {
    stream: e.stream,
    subject: e.subject,
    durable: e.durable,
    perNode: e.perNode === true,
    concurrency: e.concurrency ?? 1,
    maxAttempts: e.maxAttempts ?? 5,
    backoff: e.backoff ?? [1, 5, 30],
    ackWait: e.ackWait ?? 30,
  };
}

const UNIT_MS: Record<string, number> = { second: 1e3, minute: 60e3, hour: 3600e3, day: 86400e3 };

/** `rate(5 minutes)` → 300000. Cron expressions are not supported by the local runtime. */
export function parseRate(rate: string): number {
  const m = /^rate\((\d+)\s+(second|minute|hour|day)s?\)$/.exec(String(rate).trim());
  if (!m) throw new Error(`unsupported schedule ${rate}: use rate(N minutes|hours|days)`);
  return Number(m[1]) * UNIT_MS[m[2]];
}

/** `/storage/jobs/{id}` → `/storage/jobs/:id`; `{proxy+}` → `*`. */
export function toFastifyPath(p: string): string {
  return p.replace(/\{[^}]+\+\}/g, '*').replace(/\{([^}]+)\}/g, ':$1');
}
