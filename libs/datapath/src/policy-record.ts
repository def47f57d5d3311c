import { MasterKey } from './keys';
import { openObject, sealObject } from './sealer';

/**
 * One version of a policy, sealed in the object store beside the data it governs
 * (`policies/<policy id>/<version>`), so a recovery from the bucket alone brings the policies back.
 * `spec` is null for a deletion. A postgres source's password is never in it (the policy service
 * keeps passwords under its own key; `source.secretRef` names where).
 */
export interface PolicyRecord {
  policyId: string;
  version: number;
  tenant: string;
  spec: Record<string, unknown> | null;
  updatedAt: string;
}

const VERSION_DIGITS = 10;
const POLICY_RECORD_KEY = /^policies\/([0-9a-f-]{36})\/(\d{10})$/;

/** The key of a policy version: versions zero-padded, so a listing is in version order. */
export function policyRecordKey(policyId: string, version: number): string {
  return `policies/${policyId}/${String(version).padStart(VERSION_DIGITS, '0')}`;
}

const label = (policyId: string, version: number) => `arca-policy:${policyId}:${version}`;

/** Sealed like manifests; the label binds the record to its policy id and version, so one cannot be passed off as another. */
export function encodePolicyRecord(key: MasterKey, record: PolicyRecord): Promise<Buffer> {
  return sealObject(key, label(record.policyId, record.version), record);
}

export async function decodePolicyRecord(key: MasterKey, objectKey: string, sealed: Buffer): Promise<PolicyRecord> {
  const m = POLICY_RECORD_KEY.exec(objectKey);
  if (!m) throw new Error(`${objectKey} is not a policy record's key (policies/<id>/<10-digit version>)`);
  const record = await openObject<PolicyRecord>(key, label(m[1], Number(m[2])), sealed);
  if (record.policyId !== m[1] || record.version !== Number(m[2])) throw new Error(`${objectKey} holds policy ${record.policyId} version ${record.version}`);
  return record;
}

/** Of a listing of policy record keys, the newest version's key of each policy. */
export function newestPolicyRecords(keys: Iterable<string>): string[] {
  const newest = new Map<string, { version: number; key: string }>();
  for (const key of keys) {
    const m = POLICY_RECORD_KEY.exec(key);
    if (!m) continue;
    const version = Number(m[2]);
    if ((newest.get(m[1])?.version ?? 0) < version) newest.set(m[1], { version, key });
  }
  return [...newest.values()].map((v) => v.key).sort();
}
