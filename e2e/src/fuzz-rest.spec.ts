import fc from 'fast-check';
import { mkdirSync, readdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { api, until } from './support/test-platform';
import { usePlatform } from './support/use-platform';

/**
 * Property-based fuzzing of every REST route of the gateway's OpenAPI document, as an admin (so
 * authorization hides no handler): wrong types, huge strings and arrays, unicode, path traversal,
 * negative and huge numbers, missing and extra fields, malformed JSON, wrong content types and
 * bodies past the size limit, in bodies, queries and path parameters. Every generated request
 * carries at least one defect, so an answer must be a 4xx whose message names the field or the
 * problem; never a 5xx, never a hang; afterwards the platform's data is as it was.
 *
 * FUZZ_SEED=N replays a run (the seed is printed); FUZZ_RUNS sets the runs per route.
 */
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
const RUNS = Number(process.env.FUZZ_RUNS ?? 30);
const REQUEST_TIMEOUT_MS = 15_000;
/** Above every route's JSON body limit (the largest is 768 KiB). */
const OVERSIZE = 1024 * 1024 + 1;

const stack = usePlatform({ ARCA_AUTH_FAILURE_LIMIT: '100000' });

type Schema = { type?: string | string[]; $ref?: string; properties?: Record<string, Schema>; required?: string[]; items?: Schema; enum?: unknown[]; pattern?: string; minimum?: number; maximum?: number; minLength?: number; maxLength?: number; minItems?: number; maxItems?: number; format?: string };
interface Parameter { name: string; in: string; required?: boolean; schema?: Schema }
interface OpenApiOperation { parameters?: Parameter[]; requestBody?: { content: Record<string, { schema?: Schema }> } }
interface OpenApiDocument { paths: Record<string, Record<string, OpenApiOperation>>; components?: { schemas?: Record<string, Schema> } }

interface Route {
  method: string;
  template: string;
  pathParams: string[];
  query: Parameter[];
  /** The JSON body's schema (resolved), or 'raw' for a route that takes any bytes, or none. */
  body?: Schema | 'raw';
}

/** One generated request and the words (field names, the problem) its refusal must mention, any one of them. */
interface Case {
  path: string;
  query: Array<[string, string]>;
  body?: { text: string | Buffer; contentType?: string };
  names: string[];
}

// ---------- hostile values ----------

const TRAVERSAL = ['..', '../..', '../../../../etc/passwd', '/etc/passwd', '..\\..\\windows', '%2e%2e%2f', '....//', '.', '/', '//', 'a/../../b', '\0', 'x\0y', '~root', 'C:\\Windows'];
const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...TRAVERSAL),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u202e\u0644\u0644', '😀'.repeat(50), '\ud800', 'a\r\nx-injected: 1', "' OR 1=1 --", '${jndi:ldap://x}', '<script>', '%00', '__proto__', 'constructor'),
  fc.integer({ min: 1_000, max: 300_000 }).map((n) => 'A'.repeat(n)),
);
const hugeNumber = fc.oneof(fc.constantFrom(-1, -(2 ** 31), 2 ** 31, 2 ** 53 + 2, -(2 ** 63), 1e308, -1e308, 5e-324, 0.5, -0.000001), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: -(2 ** 31), max: -1 }));
const hostileScalar: fc.Arbitrary<unknown> = fc.oneof(hostileString, hugeNumber, fc.boolean(), fc.constant(null));
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileScalar },
  { weight: 1, arbitrary: fc.array(hostileScalar, { maxLength: 5 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 20_000 }).map((n) => Array.from({ length: n }, (_, i) => i)) },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), hostileScalar, { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.integer({ min: 50, max: 400 }).map(deepObject) },
);
function deepObject(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}
const extraFieldName = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'notAField', 'id', 'createdAt', '$where', 'a.b', ''), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }));

function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typesOf(schema: Schema): string[] {
  if (schema.$ref || schema.properties) return ['object'];
  if (schema.enum) return ['enum'];
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  return types.includes('number') ? [...types, 'integer'] : types;
}

/** A value the schema refuses, for sure: of another JSON type, out of range, too long, off its pattern, outside its enum. */
function invalidFor(schema: Schema, resolve: (s: Schema) => Schema): fc.Arbitrary<unknown> {
  const types = typesOf(schema);
  const choices: Array<fc.Arbitrary<unknown>> = [hostileValue.filter((v) => !types.includes(jsonTypeOf(v)) && !(schema.enum ?? []).includes(v))];
  if (schema.enum) choices.push(hostileString.filter((v) => !schema.enum!.includes(v)));
  if (types.includes('integer')) {
    choices.push(fc.constantFrom(1.5, -0.25, 1e21));
    if (schema.minimum !== undefined) choices.push(fc.integer({ min: -(2 ** 40), max: schema.minimum - 1 }));
    if (schema.maximum !== undefined) choices.push(fc.oneof(fc.integer({ min: schema.maximum + 1, max: Math.max(2 ** 40, schema.maximum * 2) }), fc.constant(Number.MAX_SAFE_INTEGER + 2)));
  }
  if (types.includes('string')) {
    if (schema.maxLength !== undefined) choices.push(fc.integer({ min: schema.maxLength + 1, max: schema.maxLength + 50_000 }).map((n) => '/'.padEnd(n, 'é')));
    if (schema.minLength) choices.push(fc.constant(''));
    if (schema.pattern) {
      const pattern = new RegExp(schema.pattern);
      choices.push(hostileString.filter((v) => !pattern.test(v)));
    }
    if (schema.format === 'uuid') choices.push(hostileString.filter((v) => !/^[0-9a-f-]{36}$/i.test(v)));
  }
  if (types.includes('array')) {
    if (schema.items && typesOf(schema.items).length) choices.push(invalidFor(schema.items, resolve).map((v) => [v]));
    if (schema.maxItems !== undefined) choices.push(fc.constant(Array.from({ length: schema.maxItems + 1 }, (_, i) => `/p${i}`)));
    if (schema.minItems) choices.push(fc.constant([]));
  }
  if (types.includes('object')) choices.push(invalidObject(resolve(schema), resolve).map((c) => c.value));
  return fc.oneof(...choices);
}

/** An object of the schema's shape with at least one defect; `names` are the fields a refusal may name. */
function invalidObject(schema: Schema, resolve: (s: Schema) => Schema): fc.Arbitrary<{ value: Record<string, unknown>; names: string[] }> {
  const properties = Object.keys(schema.properties ?? {});
  const required = schema.required ?? [];
  const noise = fc.dictionary(fc.constantFrom(...(properties.length ? properties : ['x'])), hostileValue, { maxKeys: 3 });
  const defects: Array<fc.Arbitrary<{ value: Record<string, unknown>; names: string[] }>> = [
    fc.tuple(extraFieldName, hostileValue).map(([name, value]) => ({ value: { [name]: value }, names: [name || 'should not exist'] })),
  ];
  if (properties.length) {
    // null in an optional field means "not given" (class-validator's @IsOptional), so it is no defect there
    defects.push(fc.constantFrom(...properties).chain((name) => invalidFor(resolve(schema.properties![name]), resolve)
      .filter((value) => value !== null || required.includes(name))
      .map((value) => ({ value: { [name]: value }, names: [name] }))));
  }
  if (required.length) defects.push(fc.constantFrom(...required).map((name) => ({ value: { [name]: undefined }, names: [name] })));
  return fc.tuple(noise, fc.oneof(...defects)).map(([other, defect]) => {
    const value: Record<string, unknown> = Object.defineProperties({}, Object.getOwnPropertyDescriptors(other));
    for (const [name, v] of Object.entries(defect.value)) {
      if (v === undefined) delete value[name];
      else Object.defineProperty(value, name, { value: v, enumerable: true, writable: true, configurable: true }); // '__proto__' as an own field
    }
    return { value, names: [...defect.names, ...Object.keys(other)] }; // a refusal may name any wrong field
  });
}

/** Bodies that are not a JSON object a route can take, whatever its schema: each names its problem. */
const badJsonBody: fc.Arbitrary<{ text: string | Buffer; contentType?: string; names: string[] }> = fc.oneof(
  fc.oneof(fc.constantFrom('{', '{"a":', "{'a': 1}", '{"a":1,}', '[1, 2', 'nul', '{"a": NaN}', '\u0000{}', '{"a":"\\ud800"'), fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !isJson(s)))
    .map((text) => ({ text, names: ['json'] })),
  fc.constantFrom('null', '1', '"text"', 'true', '[]', '[{"reason":"x"}]').map((text) => ({ text, names: ['json', 'object'] })),
  fc.tuple(fc.constantFrom('text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream', 'image/png'), fc.constantFrom('{}', 'a=1&b=2', '<a/>', '{"dryRun":true}'))
    .map(([contentType, text]) => ({ text, contentType, names: ['content-type'] })),
  // an unknown charset is refused as such; UTF-16 is one body-parser reads, and '{}' in it is no JSON
  fc.constantFrom('application/json; charset=utf-16', 'application/json; charset=koi8-r').map((contentType) => ({ text: '{}', contentType, names: ['charset', 'json'] })),
  fc.constantFrom(OVERSIZE, 4 * OVERSIZE).map((size) => ({ text: `{"x":"${'a'.repeat(size)}"}`, names: ['at most'] })),
);

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** A path segment's UTF-8 bytes percent-encoded, unreserved characters as they are (so `..` stays `..`); lone surrogates become U+FFFD, where encodeURIComponent throws. */
function percentEncoded(value: string): string {
  return [...Buffer.from(value)].map((b) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

// ---------- the routes ----------

function routesOf(document: OpenApiDocument): { routes: Route[]; resolve: (s: Schema) => Schema } {
  const resolve = (schema: Schema): Schema => (schema.$ref ? document.components!.schemas![schema.$ref.split('/').pop()!] : schema);
  const routes: Route[] = [];
  for (const [template, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const parameters = operation.parameters ?? [];
      const content = operation.requestBody?.content ?? {};
      const json = content['application/json']?.schema;
      routes.push({
        method: method.toUpperCase(), template,
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        query: parameters.filter((p) => p.in === 'query'),
        body: json ? resolve(json) : Object.keys(content).length ? 'raw' : undefined,
      });
    }
  }
  return { routes, resolve };
}

/** Ids that exist, by the path segment before `{id}`, made before the fuzzing starts. */
type Fixtures = Record<string, string>;

function caseFor(route: Route, fixtures: Fixtures, resolve: (s: Schema) => Schema): fc.Arbitrary<Case> {
  const collection = route.template.split('/')[1];
  const existing = fixtures[collection];
  const reads = route.method === 'GET';
  // a path parameter: an id that exists (then the defect is elsewhere), one that does not, or a hostile string
  // URLs stay under Node's 16 KiB header limit (a longer one is refused by Node itself, 431 without a body)
  const wrongId = fc.oneof(fc.uuid(), hostileString.map((s) => s.slice(0, 2000)).filter((s) => s !== '' && s !== existing));
  const pathValue = (allowExisting: boolean) => (allowExisting && existing ? fc.oneof(fc.constant(existing), wrongId) : wrongId);
  const fill = (values: string[]) => {
    let i = 0;
    return route.template.replace(/\{[^}]+\}/g, () => percentEncoded(values[i++]));
  };
  const queryValues = fc.array(fc.tuple(route.query.length ? fc.oneof(fc.constantFrom(...route.query.map((q) => q.name)), extraFieldName) : extraFieldName, hostileString.map((s) => s.slice(0, 2000))), { maxLength: 3 });

  const bodyDefect: fc.Arbitrary<Pick<Case, 'body' | 'names'> | undefined> = (() => {
    if (route.body === 'raw') return fc.constant(undefined);
    if (!route.body) return fc.constant(undefined);
    const schema = route.body;
    const objectDefect = invalidObject(schema, resolve).map(({ value, names }) => ({ body: { text: JSON.stringify(value) }, names }));
    const missing = (schema.required ?? []).length ? [fc.constant({ body: undefined, names: schema.required! })] : [];
    return fc.oneof(objectDefect, badJsonBody.map(({ names, ...body }) => ({ body, names })), ...missing);
  })();

  // a raw-body route's defect: a query parameter off its pattern, or missing
  const rawDefect = route.body === 'raw'
    ? fc.oneof(...route.query.filter((q) => q.required).flatMap((q) => [
      fc.constant({ query: [] as Array<[string, string]>, names: [q.name] }),
      invalidFor(q.schema ?? { type: 'string' }, resolve).filter((v): v is string => typeof v === 'string').map((v) => v.slice(0, 2000)).map((v) => ({ query: [[q.name, v]] as Array<[string, string]>, names: [q.name] })),
    ]))
    : undefined;

  return fc.array(fc.boolean(), { minLength: route.pathParams.length, maxLength: route.pathParams.length }).chain((useExisting) => {
    const hasBodyDefect = !!route.body && route.body !== 'raw';
    const mayUseExisting = reads || hasBodyDefect || route.body === 'raw';
    return fc.record({
      pathValues: fc.tuple(...route.pathParams.map((_, i) => pathValue(mayUseExisting && useExisting[i]))),
      query: queryValues,
      defect: hasBodyDefect ? bodyDefect : fc.constant(undefined),
      raw: rawDefect ?? fc.constant(undefined),
      rawBytes: fc.uint8Array({ maxLength: 2048 }),
    }).map(({ pathValues, query, defect, raw, rawBytes }) => {
      // values as they arrive (UTF-8 on the wire: a lone surrogate becomes U+FFFD)
      const sent = (value: string) => Buffer.from(value).toString();
      const names = [...route.pathParams.flatMap((p, i) => (pathValues[i] === existing ? [] : [p, sent(pathValues[i])])), ...route.query.map((q) => q.name)];
      if (raw) return { path: fill(pathValues), query: raw.query, body: { text: Buffer.from(rawBytes), contentType: 'application/octet-stream' }, names: [...raw.names, ...names] };
      return { path: fill(pathValues), query: reads ? query : [], body: defect?.body, names: [...(defect?.names ?? []), ...names, ...(reads ? query.flatMap(([k, v]) => [sent(k) || 'should not exist', sent(v)]) : [])] };
    });
  });
}

/** Long values (huge strings) cut in the middle, so a report stays readable. */
function shorten(text: string, max = 700): string {
  return text.length <= max ? text : `${text.slice(0, max / 2)}…(${text.length - max} more)…${text.slice(-max / 2)}`;
}

interface Answer { status: number; message: string; text: string }

/** Sent with node:http, not fetch: fetch's URL parser would resolve `..` segments before they reach the gateway. */
async function send(route: Route, c: Case): Promise<Answer> {
  const query = c.query.length ? `?${new URLSearchParams(c.query)}` : '';
  const headers: Record<string, string> = { authorization: `Bearer ${stack.platform.adminKey}` };
  if (c.body) {
    headers['content-type'] = c.body.contentType ?? 'application/json';
    headers['content-length'] = String(Buffer.byteLength(c.body.text)); // node:http sends a DELETE's body without one otherwise
  }
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const request = http.request(stack.platform.gatewayUrl, { method: route.method, path: c.path + query, headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }, (response) => {
      const parts: Buffer[] = [];
      response.on('data', (part: Buffer) => parts.push(part));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(parts).toString() }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(c.body?.text);
  });
  const parsed = (isJson(text) ? JSON.parse(text) : {}) as { message?: unknown };
  const message = Array.isArray(parsed.message) ? parsed.message.join('; ') : String(parsed.message ?? '');
  return { status, message, text };
}

/** What an answer to a defective request must be; undefined when it is. */
function problem(route: Route, c: Case, answer: Answer): string | undefined {
  const { status, message } = answer;
  if (status >= 500) return `${status}: ${answer.text.slice(0, 300)}`;
  if (status < 400) return route.method === 'GET' ? undefined : `${status} for a request with a defect (${c.names.join(', ')}): ${answer.text.slice(0, 200)}`;
  if (!message) return `${status} without a message: ${answer.text.slice(0, 200)}`;
  if (status === 413 && /accepts at most \d+ bytes/.test(message)) return undefined; // a defect made the body too large: that is the problem named
  const lower = message.toLowerCase();
  const named = c.names.some((name) => name && lower.includes(name.slice(0, 60).toLowerCase()));
  if (!named) return `${status} "${message.slice(0, 300)}" names none of ${JSON.stringify(c.names.map((n) => n.slice(0, 40)))}`;
  return undefined;
}

// ---------- what must not change ----------

async function platformData(): Promise<Record<string, unknown>> {
  const read = async (path: string) => {
    const answer = await api<unknown>(stack.platform, 'GET', path);
    expect(answer.status, path).toBe(200);
    return answer.body;
  };
  const keys = (await read('/keys')) as Array<Record<string, unknown>>;
  return {
    policies: await read('/policies'),
    snapshots: await read('/snapshots'),
    keys: keys.map(({ lastUsedAt: _used, ...key }) => key), // our own calls move the admin key's lastUsedAt
    webhooks: await read('/webhooks'),
    jobs: await read('/jobs?limit=1000'),
    audit: await read('/audit?limit=1000'),
    auditVerify: await read('/audit/verify'),
  };
}

async function makeFixtures(): Promise<Fixtures> {
  const policy = await api<{ id: string }>(stack.platform, 'POST', '/policies', {
    name: 'fuzz-fixture', source: { kind: 'directory', path: '/srv/fuzz' }, schedule: { cron: '0 3 * * *', timezone: 'UTC' }, rpoMinutes: 1440, retention: { keepLast: 3 },
  });
  expect(policy.status).toBe(201);
  const key = await api<{ id: string }>(stack.platform, 'POST', '/keys', { name: 'fuzz-fixture', role: 'auditor' });
  expect(key.status).toBe(201);
  const webhook = await api<{ id: string }>(stack.platform, 'POST', '/webhooks', { url: 'http://127.0.0.1:9/fuzz', events: ['backup.failed'] });
  expect(webhook.status).toBe(201);
  const upload = await fetch(`${stack.platform.gatewayUrl}/streams?name=fuzz-fixture`, { method: 'POST', headers: { authorization: `Bearer ${stack.platform.adminKey}` }, body: 'fixture bytes' });
  expect(upload.status).toBe(202);
  const stream = (await upload.json()) as { jobId: string; snapshotId: string };
  return { policies: policy.body.id, keys: key.body.id, webhooks: webhook.body.id, snapshots: stream.snapshotId, jobs: stream.jobId };
}

describe('fuzzing every REST route', () => {
  it(`answers every defective request with a 4xx naming the field or the problem, never a 5xx or a hang, and changes nothing (${RUNS} runs per route)`, async () => {
    console.log(`[fuzz] REST seed ${SEED}, ${RUNS} runs per route (replay with FUZZ_SEED=${SEED})`);
    const document = (await api<OpenApiDocument>(stack.platform, 'GET', '/api/openapi.json')).body;
    const { routes, resolve } = routesOf(document);
    console.log(`[fuzz] ${routes.length} routes and methods in the OpenAPI document`);
    expect(routes.length).toBeGreaterThan(30);
    expect(routes.filter((r) => r.body && r.body !== 'raw' && !Object.keys(r.body.properties ?? {}).length).map((r) => `${r.method} ${r.template}`), 'bodies the document does not describe').toEqual([]);
    const fixtures = await makeFixtures();
    // the fixture upload's audit entry and catalogue rows land over Kafka a moment later
    await new Promise((r) => setTimeout(r, 2000));
    const before = await platformData();

    // A write that takes no input at all (no path parameter, body or query) has no defective request
    // to make: any call of it is a good one. Named here, so each new one is seen and judged.
    const inputless = (r: Route) => r.method !== 'GET' && !r.pathParams.length && !r.body && !r.query.length;
    expect(routes.filter(inputless).map((r) => `${r.method} ${r.template}`)).toEqual(['POST /repository/key-rotation']);

    const failures: string[] = [];
    for (const route of routes.filter((r) => !inputless(r))) {
      const details = await fc.check(
        fc.asyncProperty(caseFor(route, fixtures, resolve), async (c) => {
          const answer = await send(route, c).catch((error: Error) => ({ status: 599, message: '', text: `no answer within ${REQUEST_TIMEOUT_MS} ms or a broken connection: ${error.message}` }));
          const wrong = problem(route, c, answer);
          if (wrong) throw new Error(`${route.method} ${c.path}${c.query.length ? `?${new URLSearchParams(c.query)}` : ''} ${c.body ? `(${c.body.contentType ?? 'application/json'}, ${c.body.text.length} bytes: ${c.body.text.slice(0, 120)})` : ''} → ${wrong}`);
        }),
        { seed: SEED, numRuns: RUNS, interruptAfterTimeLimit: 30_000, markInterruptAsFailure: false },
      );
      if (details.failed) failures.push(`${route.method} ${route.template}: ${shorten((details.errorInstance as Error | undefined)?.message ?? fc.defaultReportMessage(details) ?? 'failed')} (seed ${details.seed}, path "${details.counterexamplePath}")`);
    }
    const health = await fetch(`${stack.platform.gatewayUrl}/health`);
    expect(health.status, 'the gateway still answers').toBe(200);
    expect(failures).toEqual([]);
    expect(await platformData()).toEqual(before);
  }, 300_000);
});

describe('policies valid in shape, wrong in meaning', () => {
  it(`are refused by the policy service naming the field, never stored (cron, time zone, window, relative paths; ${RUNS} runs)`, async () => {
    const base = { name: 'fuzz-meaning', source: { kind: 'directory', path: '/srv/fuzz' }, schedule: { cron: '0 3 * * *', timezone: 'UTC' }, rpoMinutes: 1440, retention: { keepLast: 3 } };
    const before = (await api(stack.platform, 'GET', '/policies')).body;
    const text = (max: number) => hostileString.map((v) => v.slice(0, max));
    const wrong = fc.oneof(
      text(200).map((cron) => ({ field: 'schedule', body: { ...base, schedule: { ...base.schedule, cron } } })),
      text(64).filter((tz) => tz !== 'UTC').map((timezone) => ({ field: 'schedule', body: { ...base, schedule: { ...base.schedule, timezone } } })),
      text(4096).filter((p) => !p.startsWith('/')).map((path) => ({ field: 'source.path', body: { ...base, source: { kind: 'directory', path } } })),
      fc.constantFrom('00:00', '23:59').map((start) => ({ field: 'backupWindow', body: { ...base, backupWindow: { start, end: start } } })),
      text(200).map((cron) => ({ field: 'prune', body: { ...base, prune: { cron } } })),
    );
    await fc.assert(fc.asyncProperty(wrong, async ({ field, body }) => {
      const answer = await api<{ message?: string | string[] }>(stack.platform, 'POST', '/policies', body);
      expect(answer.status, JSON.stringify(answer.body)).toBeGreaterThanOrEqual(400);
      expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(500);
      expect([answer.body.message].flat().join('; ')).toContain(field);
    }), { seed: SEED, numRuns: RUNS });
    expect((await api(stack.platform, 'GET', '/policies')).body).toEqual(before);
  }, 120_000);
});

interface Job { status: string; snapshotId?: string | null; error?: string | null }

async function finished(jobId: string): Promise<Job> {
  return until(async () => {
    const job = (await api<Job>(stack.platform, 'GET', `/jobs/${jobId}`)).body;
    return (job.status === 'completed' || job.status === 'failed') && job;
  }, `job ${jobId} to finish`, 120_000);
}

async function backup(dir: string): Promise<string> {
  const run = await api<{ jobId: string }>(stack.platform, 'POST', '/jobs', { source: { kind: 'directory', path: dir } });
  expect(run.status).toBe(202);
  const job = await finished(run.body.jobId);
  expect(job.status, job.error ?? '').toBe('completed');
  return job.snapshotId!;
}

async function restoreJob(snapshotId: string, target: string): Promise<Job> {
  const run = await api<{ jobId: string }>(stack.platform, 'POST', `/snapshots/${snapshotId}/restore`, { target });
  expect(run.status).toBe(202);
  return finished(run.body.jobId);
}

describe('a hostile snapshot through the real restore job', () => {
  it('a symlink out of the target left by one restore, then a directory of that name with a file in it: the job fails naming the entry, nothing is written outside', async () => {
    const outside = stack.tempDir('outside');
    writeFileSync(path.join(outside, 'secret'), 'not yours');
    const linking = stack.tempDir('linking');
    symlinkSync(outside, path.join(linking, 'lnk'));
    const planting = stack.tempDir('planting');
    mkdirSync(path.join(planting, 'lnk'));
    writeFileSync(path.join(planting, 'lnk', 'planted'), 'planted');
    const target = path.join(stack.tempDir('target'), 'restored');

    const first = await restoreJob(await backup(linking), target);
    expect(first.status, first.error ?? '').toBe('completed');
    expect(readlinkSync(path.join(target, 'lnk'))).toBe(outside); // a symlink out is data: restored as it was
    const second = await restoreJob(await backup(planting), target);
    expect(second.status).toBe('failed');
    expect(second.error).toMatch(/refusing to restore "\/lnk(\/planted)?"/);
    expect(readdirSync(outside)).toEqual(['secret']);
  }, 240_000);
});
