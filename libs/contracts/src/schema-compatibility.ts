type Schema = Record<string, unknown>;

const RESOLVE_DEPTH = 32;

/** Follows a local `$ref` (`#/$defs/Name`) within `root`. */
function resolve(schema: Schema, root: Schema): Schema {
  let current = schema;
  for (let i = 0; i < RESOLVE_DEPTH && typeof current.$ref === 'string'; i++) {
    const name = current.$ref.replace(/^#\/\$defs\//, '');
    const target = (root.$defs as Record<string, Schema> | undefined)?.[name];
    if (!target) throw new Error(`unresolvable $ref ${current.$ref}`);
    current = target;
  }
  return current;
}

const typesOf = (schema: Schema): string[] | undefined =>
  schema.type === undefined ? undefined : (Array.isArray(schema.type) ? schema.type : [schema.type]).map(String).sort();

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Why `next` is not a compatible successor of `previous` within one event version, or [] when it
 * is. Within a version only additive changes are allowed, so that a consumer written against
 * `previous` reads every message valid under `next`:
 * - a field removed, a field newly required, a type changed (narrowed or widened, e.g. made nullable),
 * - a const or format or pattern changed, enum values added, a bound loosened (minimum, maximum,
 *   minLength, maxLength, maxItems), additional properties newly refused,
 * are breaking; a new optional field, a removed enum value and a tightened bound are not.
 * Nested objects, array items and `$defs` references are compared the same way.
 */
export function schemaCompatibilityProblems(previous: Schema, next: Schema): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  const walk = (oldSchema: Schema, newSchema: Schema, at: string) => {
    const key = `${at}|${String(oldSchema.$ref)}|${String(newSchema.$ref)}`;
    if (seen.has(key)) return;
    seen.add(key);
    const o = resolve(oldSchema, previous);
    const n = resolve(newSchema, next);
    const where = at || '(root)';
    const oldTypes = typesOf(o);
    const newTypes = typesOf(n);
    if (oldTypes && !same(oldTypes, newTypes)) problems.push(`${where}: type changed from ${oldTypes.join('|')} to ${newTypes?.join('|') ?? 'any'}`);
    for (const k of ['const', 'format', 'pattern'] as const) {
      if (o[k] !== undefined && !same(o[k], n[k])) problems.push(`${where}: ${k} changed from ${JSON.stringify(o[k])} to ${JSON.stringify(n[k])}`);
    }
    if (Array.isArray(o.enum)) {
      const added = ((n.enum as unknown[] | undefined) ?? ['(any value)']).filter((v) => !(o.enum as unknown[]).some((w) => same(v, w)));
      if (added.length > 0) problems.push(`${where}: enum values added: ${added.map((v) => JSON.stringify(v)).join(', ')}`);
    }
    for (const [k, looser] of [['minimum', -1], ['minLength', -1], ['maximum', 1], ['maxLength', 1], ['maxItems', 1]] as const) {
      const was = o[k] as number | undefined;
      const is = n[k] as number | undefined;
      if (was !== undefined && (is === undefined || Math.sign(is - was) === looser)) problems.push(`${where}: ${k} loosened from ${was} to ${is ?? 'none'}`);
    }
    if (o.additionalProperties !== false && n.additionalProperties === false) problems.push(`${where}: additional properties now refused`);
    const oldProps = (o.properties ?? {}) as Record<string, Schema>;
    const newProps = (n.properties ?? {}) as Record<string, Schema>;
    const oldRequired = new Set((o.required as string[] | undefined) ?? []);
    for (const name of (n.required as string[] | undefined) ?? []) {
      if (!oldRequired.has(name)) problems.push(`${at ? `${at}.` : ''}${name}: newly required`);
    }
    for (const [name, schema] of Object.entries(oldProps)) {
      const path = at ? `${at}.${name}` : name;
      if (!newProps[name]) problems.push(`${path}: removed`);
      else walk(schema, newProps[name], path);
    }
    if (o.items && typeof o.items === 'object') {
      if (n.items && typeof n.items === 'object') walk(o.items as Schema, n.items as Schema, `${at}[]`);
      else problems.push(`${at}[]: item schema removed`);
    }
  };
  walk(previous, next, '');
  return problems;
}

/**
 * Compares the committed schema snapshot (`<topic>@v<version>` → schema) with the current
 * schemas: every problem of a version changed incompatibly, and every version dropped from the
 * current set (a superseded version stays until its period is over; removing it is deliberate and
 * shows in the snapshot's diff). New versions and new topics are additions.
 */
export function snapshotCompatibilityProblems(committed: Record<string, Schema>, current: Record<string, Schema>): string[] {
  const problems: string[] = [];
  for (const [id, schema] of Object.entries(committed)) {
    const now = current[id];
    if (!now) {
      problems.push(`${id}: no longer published`);
      continue;
    }
    for (const problem of schemaCompatibilityProblems(schema, now)) problems.push(`${id} ${problem}`);
  }
  return problems;
}
