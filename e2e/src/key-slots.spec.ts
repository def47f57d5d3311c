import { startFakeVault } from '@arca/datapath/src/testing/fake-vault';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arca, arcaStatus } from './support/cli';
import { api, until } from './support/test-platform';
import { usePlatform } from './support/use-platform';

const VAULT_TOKEN = 'hvs.e2e-fake-token';
let vault: Awaited<ReturnType<typeof startFakeVault>>;
beforeAll(async () => {
  vault = await startFakeVault({ token: VAULT_TOKEN });
});
afterAll(() => vault?.close());
const stack = usePlatform(() => ({ ARCA_VAULT_ADDR: vault.url, ARCA_VAULT_TOKEN: VAULT_TOKEN, ARCA_VAULT_TRANSIT_KEY: 'arca-e2e' }));

interface Slots {
  repositoryId: string;
  cipher: string;
  slots: Array<{ id: string; label: string; kind: string; binding?: string; unlockedHere: boolean }>;
}

const ALICE = 'alice-passphrase-e2e';

/** A file holding a secret (the CLI never takes one on its command line). */
function secretFile(name: string, secret: string): string {
  const file = path.join(stack.tempDir('secret'), name);
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return file;
}

/**
 * Starts a second ingest worker against the platform with other key settings, until it says it
 * unlocked the repository (then stops it) or exits: what a restart with those settings would do.
 */
function ingestWith(env: NodeJS.ProcessEnv): Promise<{ unlocked?: string; code?: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', path.resolve(__dirname, '../../services/ingest/src/main.ts')], {
      env: { ...stack.platform.env, INGEST_PORT: '0', LOG_LEVEL: 'log', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const seen = (d: Buffer) => {
      output += d;
      const unlocked = /unlocked with key slot \\?"([^"\\]+)\\?"/.exec(output)?.[1];
      if (unlocked) {
        clearTimeout(timer);
        child.kill('SIGTERM');
        resolve({ unlocked, output });
      }
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, output });
    });
  });
}

describe('repository key slots through the CLI and REST', () => {
  it('lists the one slot a repository starts with, the one ingest unlocked with', async () => {
    const listed = JSON.parse((await arca(stack.platform.gatewayUrl, ['keys', 'slots', 'list', '--json'])).stdout) as Slots;
    expect(listed.cipher).toBe('aes-256-gcm');
    expect(listed.slots).toEqual([expect.objectContaining({ label: 'passphrase', kind: 'passphrase', unlockedHere: true })]);
    const text = (await arca(stack.platform.gatewayUrl, ['keys', 'slots', 'list'])).stdout;
    expect(text).toMatch(new RegExp(`repository ${listed.repositoryId} \\(aes-256-gcm\\), 1 key slot\\(s\\)`));
  });

  it('adds a passphrase slot only with a current passphrase, and a Vault Transit slot through the Vault API; both open the key', async () => {
    const url = stack.platform.gatewayUrl;
    const current = secretFile('current', stack.platform.env.ARCA_PASSPHRASE!);
    const refused = await arcaStatus(url, ['keys', 'slots', 'add', 'alice', '--passphrase-file', secretFile('alice', ALICE)]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/currentPassphrase must be the passphrase of one of repository [0-9a-f]{32}'s passphrase slots/);
    const added = await arcaStatus(url, ['keys', 'slots', 'add', 'alice', '--passphrase-file', '-', '--current-passphrase-file', current], Buffer.from(`${ALICE}\n`));
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/added key slot alice \(passphrase, id [0-9a-f]{8}\)/);
    const taken = await arcaStatus(url, ['keys', 'slots', 'add', 'alice', '--passphrase-file', secretFile('again', 'another-passphrase'), '--current-passphrase-file', current]);
    expect(taken.stderr).toMatch(/already has a key slot labelled "alice"/);

    vault.requests.length = 0;
    const viaVault = await arcaStatus(url, ['keys', 'slots', 'add', 'kms', '--kind', 'vault-transit', '--current-passphrase-file', current, '--json']);
    expect(viaVault.code, viaVault.stderr).toBe(0);
    expect(JSON.parse(viaVault.stdout)).toMatchObject({ slot: { label: 'kms', kind: 'vault-transit', binding: 'transit/arca-e2e' } });
    // wrapped, then opened again before the key file was written
    expect(vault.requests.map((r) => `${r.method} ${r.path} ${r.headers['x-vault-token']}`)).toEqual([
      `POST /v1/transit/encrypt/arca-e2e ${VAULT_TOKEN}`, `POST /v1/transit/decrypt/arca-e2e ${VAULT_TOKEN}`,
    ]);

    const listed = (await api<Slots>(stack.platform, 'GET', '/repository/key-slots')).body;
    expect(listed.slots.map((s) => [s.label, s.kind])).toEqual([['passphrase', 'passphrase'], ['alice', 'passphrase'], ['kms', 'vault-transit']]);
    expect(JSON.stringify(listed)).not.toMatch(/wrapped|ciphertext|salt|alice-passphrase/);

    // An ingest worker started with alice's passphrase, or with Vault alone, unlocks the same repository.
    const [withAlice, withVault] = await Promise.all([ingestWith({ ARCA_PASSPHRASE: ALICE }), ingestWith({ ARCA_KEY_PROVIDER: 'vault-transit', ARCA_PASSPHRASE: '' })]);
    expect(withAlice.unlocked, withAlice.output.slice(-2000)).toBe('alice');
    expect(withVault.unlocked, withVault.output.slice(-2000)).toBe('kms');
  }, 60_000);

  it('revokes slots, rewriting the key file: a revoked passphrase no longer unlocks; the last slot stays; each change is audited', async () => {
    const url = stack.platform.gatewayUrl;
    const revoked = await arcaStatus(url, ['keys', 'slots', 'revoke', 'passphrase']);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toMatch(/revoked key slot passphrase \([0-9a-f]{8}\); 2 slot\(s\) remain/);
    expect(revoked.stderr).toMatch(/the ingest service unlocked the repository with this slot/);
    expect((await arcaStatus(url, ['keys', 'slots', 'revoke', 'alice'])).code).toBe(0);
    const last = await arcaStatus(url, ['keys', 'slots', 'revoke', 'kms']);
    expect(last.code).toBe(1);
    expect(last.stderr).toMatch(/slot "kms" is the last key slot of repository [0-9a-f]{32}: add another before revoking it/);
    expect((await api(stack.platform, 'DELETE', '/repository/key-slots/nobody')).status).toBe(404);
    expect((await api<Slots>(stack.platform, 'GET', '/repository/key-slots')).body.slots.map((s) => s.label)).toEqual(['kms']);

    const withOld = await ingestWith({});
    expect(withOld.code).toBe(1);
    expect(withOld.output).toMatch(/wrong passphrase for repository [0-9a-f]{32}/);

    // audit entries travel over Kafka to reporting: wait for the four
    const audit = await until(async () => {
      const entries = (await api<Array<{ action: string; details: Record<string, unknown> }>>(stack.platform, 'GET', '/audit/export?format=json')).body;
      return entries.filter((e) => e.action.startsWith('repository.key_slot.')).length >= 4 && entries;
    }, 'the key slot changes in the audit log');
    const slotEntries = audit.filter((e) => e.action.startsWith('repository.key_slot.')).map((e) => [e.action, e.details.label, e.details.kind]);
    expect(slotEntries).toEqual([
      ['repository.key_slot.added', 'alice', 'passphrase'], ['repository.key_slot.added', 'kms', 'vault-transit'],
      ['repository.key_slot.revoked', 'passphrase', 'passphrase'], ['repository.key_slot.revoked', 'alice', 'passphrase'],
    ]);
    expect(JSON.stringify(audit)).not.toContain(ALICE);
    expect(JSON.stringify(audit)).not.toContain(stack.platform.env.ARCA_PASSPHRASE);
  }, 60_000);
});
