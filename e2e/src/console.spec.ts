import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIssuer, TestIssuer } from '../../services/gateway/src/testing/oidc-issuer';
import { verifySignature } from '../../services/reporting/src/webhooks/webhook-signature';
import { api, until } from './support/test-platform';
import { usePlatform } from './support/use-platform';

/**
 * The console in a real browser: Debian's Chromium driven through playwright-core against the
 * whole platform. An admin signs in with the first key, creates a policy, runs it and watches its
 * progress, browses the snapshot, restores one file and downloads another, reads the audit log
 * and the charts, and makes an auditor key; the auditor then sees neither restore nor download.
 * An operator signs in through an OIDC issuer the test serves on loopback (authorization code
 * with PKCE, through the issuer's login page) and sees no key management.
 * Screenshots of each page go to e2e/output/console/.
 */
const CHROMIUM = process.env.ARCA_CHROMIUM ?? '/usr/bin/chromium';
const OUTPUT = path.resolve(__dirname, '..', 'output', 'console');
// Without the background-networking flags Chromium tries to reach Google's hosts, and a closed network refuses it.
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let issuer: TestIssuer;
/** A webhook receiver on loopback: answers 200 and keeps what it was sent. */
const received: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
let receiver: http.Server;
beforeAll(async () => {
  issuer = await startTestIssuer('arca-console');
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => { body += String(chunk); });
    req.on('end', () => { received.push({ headers: req.headers, body }); res.writeHead(200).end('ok'); });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await issuer?.close();
  receiver?.close();
});
const stack = usePlatform(() => ({ OIDC_ISSUER: issuer.issuer, OIDC_AUDIENCE: 'arca-console', OIDC_JWKS_URL: issuer.jwksUrl, OIDC_CLIENT_ID: issuer.clientId }));
let context: BrowserContext;
let page: Page;
let profile: string;

beforeAll(async () => {
  // A missing browser is a failure with the fix in its message, never a silent skip: CI installs it.
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run "npm run setup:browser" (apt-get install chromium, as root) before the console's browser test`);
  rmSync(OUTPUT, { recursive: true, force: true });
  mkdirSync(OUTPUT, { recursive: true });
  profile = mkdtempSync(path.join(os.tmpdir(), 'arca-chromium-'));
  context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(30_000);
});

afterAll(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

const shot = (name: string) => page.screenshot({ path: path.join(OUTPUT, `${name}.png`), fullPage: true });

async function signIn(credential: string): Promise<void> {
  await page.goto(stack.platform.gatewayUrl + '/');
  await page.locator('#view-signin').waitFor();
  await page.fill('#credential', credential);
  await page.click('#signin-form button[type=submit]');
  await page.locator('#session').waitFor();
}

async function go(view: string): Promise<void> {
  await page.click(`nav a[data-view="${view}"]`);
  await page.locator(`#view-${view}`).waitFor();
}

describe('the console in Chromium', () => {
  const files = {
    'notes.txt': Buffer.from('restore me through the console\n'),
    'docs/report.bin': randomBytes(300_000),
    'docs/big-1.bin': randomBytes(1_600_000),
    'docs/big-2.bin': randomBytes(1_600_000),
  };
  let source: string;
  let restored: string;

  it('refuses a wrong credential, then signs in with the admin key and shows who is signed in', async () => {
    source = stack.tempDir('console-source');
    restored = stack.tempDir('console-restored');
    for (const [name, bytes] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(source, name)), { recursive: true });
      writeFileSync(path.join(source, name), bytes);
    }
    await page.goto(stack.platform.gatewayUrl + '/');
    await page.locator('#view-signin').waitFor();
    await shot('01-sign-in');
    await page.click('#signin-form button[type=submit]');
    await expect.poll(() => page.textContent('#signin-errors')).toMatch(/Please fix:\s*paste an API key/);
    await page.fill('#credential', `arca_${'x'.repeat(43)}`);
    await page.click('#signin-form button[type=submit]');
    await expect.poll(() => page.textContent('#signin-errors')).toMatch(/unknown, malformed or revoked API key/);
    expect(await page.isVisible('#nav')).toBe(false);

    await signIn(stack.platform.adminKey);
    expect(await page.textContent('#session-who')).toMatch(/first-admin\s*admin\s*tenant default/);
    for (const view of ['dashboard', 'policies', 'jobs', 'snapshots', 'audit', 'keys']) expect(await page.isVisible(`nav a[data-view="${view}"]`), view).toBe(true);
  });

  it('creates a policy over a temporary directory, runs it and shows its live progress until it completes', async () => {
    await go('policies');
    await page.click('#policy-create summary');
    await page.fill('#p-name', 'console-docs');
    await page.fill('#p-path', source);
    await page.fill('#p-bandwidth', '1'); // 1 MiB/s over 3.5 MB: a few seconds of progress to watch
    await page.click('#policy-form button[type=submit]');
    const row = page.locator('#policies-list tr', { hasText: 'console-docs' });
    await row.waitFor();
    expect(await row.textContent()).toContain(source);
    await shot('02-policies');

    await row.getByRole('button', { name: 'Run console-docs now' }).click();
    await page.locator('#view-jobs').waitFor();
    // The job table refreshes every 2 s: a running backup shows a progress bar with bytes read.
    const running = page.locator('#jobs-list tr', { has: page.locator('progress') });
    await running.waitFor({ timeout: 30_000 });
    expect(await running.textContent()).toMatch(/running.*\d+(\.\d+)? (B|KiB|MiB) of \d+(\.\d+)? MiB · \d+ files/s);
    await shot('03-job-progress');
    await page.locator('#jobs-list tr', { hasText: 'completed' }).waitFor({ timeout: 60_000 });
    expect(await page.textContent('#jobs-list')).toMatch(/4 files · 3\.\d+ MiB read/);
    await shot('04-job-completed');
  });

  it('browses the snapshot, restores one file (bytes on disk) and downloads another (bytes received)', async () => {
    await go('snapshots');
    await page.getByRole('button', { name: /Browse and restore snapshot/ }).first().click();
    await page.locator('#tree-list tr', { hasText: 'notes.txt' }).waitFor();
    await page.click('#tree-list a:text-is("docs/")');
    await page.locator('#tree-list tr', { hasText: 'report.bin' }).waitFor();
    expect(await page.textContent('#tree-breadcrumbs')).toMatch(/\/\s*›\s*docs/);
    await shot('05-snapshot-browse');

    const download = page.waitForEvent('download');
    await page.click('#tree-list a:text-is("report.bin")');
    const saved = await (await download).path();
    expect(readFileSync(saved).equals(files['docs/report.bin'])).toBe(true);

    await page.click('#tree-list a:text-is("../")');
    await page.locator('#tree-list tr', { hasText: 'notes.txt' }).waitFor();
    await page.getByRole('checkbox', { name: 'Restore /notes.txt' }).check();
    expect(await page.inputValue('#r-paths')).toBe('/notes.txt');
    await page.fill('#r-target', restored);
    await page.click('#restore-form button[type=submit]');
    await expect.poll(() => page.textContent('#flash')).toMatch(/Restore of .* started/);
    await shot('06-restore-started');
    const target = path.join(restored, 'notes.txt');
    await until(() => existsSync(target) && readFileSync(target).length === files['notes.txt'].length, 'the restored notes.txt', 60_000);
    expect(readFileSync(target).equals(files['notes.txt'])).toBe(true);
    expect(existsSync(path.join(restored, 'docs'))).toBe(false); // only the chosen file
  });

  it('reads the audit log, with the policy, the run, the restore and the download under the admin key, and a verified chain', async () => {
    const wanted = ['policy.create', 'backup.run', 'restore.run', 'snapshot.file.download'];
    // Audit entries reach reporting over Kafka: open the view again until all four are there.
    await until(async () => {
      await go('dashboard');
      await go('audit');
      await page.locator('#audit-list table, #audit-list .empty').first().waitFor();
      const text = (await page.textContent('#audit-list')) ?? '';
      return wanted.every((action) => text.includes(action));
    }, 'the console actions in the audit log', 30_000, 1_000);
    const download = page.locator('#audit-list tr', { hasText: 'snapshot.file.download' });
    expect(await download.textContent()).toMatch(/key:first-admin.*\/docs\/report\.bin/s);
    await expect.poll(() => page.textContent('#audit-verify')).toMatch(/chain intact \d+ entries/);
    await shot('07-audit');
  });

  it('draws throughput, storage growth, success rate per policy and the ratios with data points from the backup', async () => {
    await go('dashboard');
    await page.locator('#dashboard-charts [data-chart="throughput"]').waitFor();
    const points = (chart: string) => page.locator(`[data-chart="${chart}"] circle.point`).count();
    expect(await points('throughput')).toBe(1);
    expect(await points('storage')).toBeGreaterThanOrEqual(1);
    expect(await points('ratios')).toBe(2); // dedupe and compression of the one backup that stored data
    const throughput = Number(await page.getAttribute('[data-chart="throughput"] circle.point', 'data-value'));
    expect(throughput).toBeGreaterThan(200_000); // bytes/s: limited to 1 MiB/s, well above nothing
    expect(throughput).toBeLessThan(1.5 * 1024 * 1024);
    const stored = Number(await page.getAttribute('[data-chart="storage"] circle.point >> nth=-1', 'data-value'));
    expect(stored).toBeGreaterThan(3_400_000); // random bytes do not compress
    const bar = page.locator('[data-chart="success"] rect.bar');
    expect(await bar.count()).toBe(1);
    expect(await bar.getAttribute('data-value')).toBe('1');
    expect(await page.textContent('[data-chart="success"]')).toContain('console-docs');
    await shot('08-dashboard-charts');
  });

  it('subscribes a webhook, sends it a test and shows the delivery and the receiver\'s answer', async () => {
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    await go('webhooks');
    await page.fill('#w-url', 'ftp://nowhere');
    await page.click('#webhook-form button[type=submit]');
    await expect.poll(() => page.textContent('#webhook-errors')).toMatch(/url must be an https:\/\/ URL/);
    await page.fill('#w-url', url);
    await page.check('#webhook-form input[value="backup.completed"]');
    await page.click('#webhook-form button[type=submit]');
    await page.locator('#webhook-created').waitFor();
    const secret = (await page.textContent('#webhook-created-secret'))!.trim();
    expect(secret).toMatch(/^whsec_/);
    const row = page.locator('#webhooks-list tr', { hasText: url });
    expect(await row.textContent()).toContain('backup.failed, backup.completed');
    await row.getByRole('button', { name: `Send a test to ${url}` }).click();
    // The delivery worker sends within a second or two; the table shows it once it has.
    await until(async () => {
      await row.getByRole('button', { name: `Deliveries to ${url}` }).click();
      await page.locator('#deliveries-list table, #deliveries-list .empty').first().waitFor();
      return /webhook\.test\s*delivered\s*1\s*HTTP 200/.test((await page.textContent('#deliveries-list')) ?? '');
    }, 'the test delivery shown as delivered', 30_000, 1_000);
    const test = received.find((r) => r.headers['arca-event'] === 'webhook.test')!;
    expect(verifySignature(secret, String(test.headers['arca-signature']), test.body)).toBe(true);
    await shot('09-webhooks');
  });

  it('creates an auditor key; the auditor sees snapshots, policies and the audit log but no restore, download, run or key management', async () => {
    await go('keys');
    await page.fill('#k-name', 'console-auditor');
    await page.selectOption('#k-role', 'auditor');
    await page.click('#key-create-form button[type=submit]');
    await page.locator('#key-created').waitFor();
    const auditorKey = (await page.textContent('#key-created-value'))!.trim();
    expect(auditorKey).toMatch(/^arca_/);
    await page.locator('#keys-list tr', { hasText: 'console-auditor' }).waitFor();
    await shot('10-keys');

    await page.click('#sign-out');
    await page.locator('#view-signin').waitFor();
    await signIn(auditorKey);
    expect(await page.textContent('#session-who')).toMatch(/console-auditor\s*auditor/);
    expect(await page.isVisible('nav a[data-view="keys"]')).toBe(false);
    expect(await page.isVisible('nav a[data-view="audit"]')).toBe(true);

    await go('policies');
    await page.locator('#policies-list tr', { hasText: 'console-docs' }).waitFor();
    expect(await page.getByRole('button', { name: /Run .* now|Delete/ }).count()).toBe(0);
    expect(await page.isVisible('#policy-create')).toBe(false);

    await go('jobs');
    await page.locator('#jobs-list tr', { hasText: 'completed' }).first().waitFor();
    expect(await page.isVisible('#run-now')).toBe(false);

    await go('snapshots');
    await page.getByRole('button', { name: /Browse snapshot/ }).first().click();
    await page.locator('#tree-list tr', { hasText: 'notes.txt' }).waitFor();
    expect(await page.isVisible('#restore-form')).toBe(false);
    expect(await page.locator('#tree-list input[type=checkbox]').count()).toBe(0);
    expect(await page.locator('#tree-list a[href*="/file?"]').count()).toBe(0); // names and sizes, no download links
    expect(await page.textContent('#tree-list')).toContain('notes.txt');
    await shot('11-auditor-snapshot');

    // The gateway refuses what the console hides: the page's own credential cannot fetch a file.
    const snapshots = await api<Array<{ id: string }>>(stack.platform, 'GET', '/snapshots', undefined, { authorization: `Bearer ${auditorKey}` });
    expect((await api(stack.platform, 'GET', `/snapshots/${snapshots.body[0].id}/file?path=/notes.txt`, undefined, { authorization: `Bearer ${auditorKey}` })).status).toBe(403);

    await go('webhooks');
    const hook = page.locator('#webhooks-list tr', { hasText: '/hook' });
    await hook.getByRole('button', { name: /Deliveries to/ }).waitFor();
    expect(await hook.getByRole('button', { name: /Send a test|Remove/ }).count()).toBe(0);
    expect(await page.isVisible('#webhook-form')).toBe(false);

    await go('audit');
    await page.locator('#audit-list tr', { hasText: 'key.create' }).first().waitFor();
    await shot('12-auditor-audit');
  });

  it('signs an operator in through the OIDC issuer (authorization code with PKCE); the operator sees no key management and no audit log', async () => {
    await page.click('#sign-out');
    await page.locator('#oidc-signin').waitFor();
    expect(await page.textContent('#oidc-issuer')).toBe(issuer.issuer);
    await shot('13-sign-in-oidc');
    await page.click('#oidc-button');
    await page.waitForURL((url) => url.href.startsWith(`${issuer.issuer}/authorize?`));
    const authorize = new URL(page.url());
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({ response_type: 'code', client_id: issuer.clientId, redirect_uri: `${stack.platform.gatewayUrl}/`, code_challenge_method: 'S256' });
    await page.fill('input[name=sub]', 'olga@example.com');
    await page.selectOption('select[name=arca_role]', 'operator');
    await page.click('button[type=submit]');
    await page.waitForURL((url) => url.href.startsWith(stack.platform.gatewayUrl) && !url.search);
    await page.locator('#session').waitFor();
    expect(await page.textContent('#session-who')).toMatch(/olga@example\.com\s*operator\s*\(OIDC\)\s*tenant default/);
    expect(await page.isVisible('nav a[data-view="keys"]')).toBe(false);
    expect(await page.isVisible('nav a[data-view="audit"]')).toBe(false);
    await page.goto(stack.platform.gatewayUrl + '/#keys'); // typed by hand: the dashboard instead
    await page.locator('#view-dashboard').waitFor();
    expect(await page.isVisible('#view-keys')).toBe(false);
    await go('policies');
    await page.getByRole('button', { name: 'Run console-docs now' }).waitFor();
    await shot('14-operator-policies');

    // What the operator does is audited under the issuer's subject.
    await page.getByRole('button', { name: 'Run console-docs now' }).click();
    await page.locator('#view-jobs').waitFor();
    const run = await until(async () => (await api<Array<{ action: string; actor: string }>>(stack.platform, 'GET', '/audit?limit=20')).body.find((e) => e.action === 'backup.run' && e.actor === 'oidc:olga@example.com'), 'the OIDC operator\'s run in the audit log');
    expect(run).toBeTruthy();
  });

  it('lets the admin revoke a key and remove a webhook subscription, after confirming', async () => {
    await page.click('#sign-out');
    await signIn(stack.platform.adminKey);
    page.once('dialog', (dialog) => void dialog.accept());
    await go('keys');
    await page.getByRole('button', { name: 'Revoke key console-auditor' }).click();
    await page.locator('#keys-list tr', { hasText: 'console-auditor' }).filter({ hasText: 'revoked' }).waitFor();
    const auditor = (await api<Array<{ name: string; revokedAt: string | null }>>(stack.platform, 'GET', '/keys')).body.find((k) => k.name === 'console-auditor');
    expect(auditor?.revokedAt).toBeTruthy();

    page.once('dialog', (dialog) => void dialog.accept());
    await go('webhooks');
    await page.getByRole('button', { name: /Remove http:\/\/127\.0\.0\.1:\d+\/hook/ }).click();
    await page.locator('#webhooks-list .empty').waitFor();
    expect((await api<unknown[]>(stack.platform, 'GET', '/webhooks')).body).toEqual([]);
  });
});
