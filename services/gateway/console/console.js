// The Arca web console: one static page over the gateway's REST API (same origin, docs/rest-api.md).
// Plain ES module, no framework and no build step. All text reaches the page through DOM nodes
// (textContent), never innerHTML, because file names, policy names and error messages are data.

import { barChart, timeChart, timelineChart } from './charts.js';

// ---------------------------------------------------------------- small helpers

/** Creates an element: h('a', { href: '#x', class: 'y', onclick }, 'text', child, …). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const $ = (id) => document.getElementById(id);

function formatBytes(bytes) {
  if (bytes === null || bytes === undefined || !Number.isFinite(Number(bytes))) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = Number(bytes);
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
  return `${unit === 0 ? value.toFixed(0) : value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

function formatDuration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  // Two units at most, and no "0 s" tails: "30 min", "1 h 5 min", "2 d".
  const pair = (big, bigUnit, small, smallUnit) => (small ? `${big} ${bigUnit} ${small} ${smallUnit}` : `${big} ${bigUnit}`);
  if (s < 60) return `${s} s`;
  if (s < 3600) return pair(Math.floor(s / 60), 'min', s % 60, 's');
  if (s < 86400) return pair(Math.floor(s / 3600), 'h', Math.floor((s % 3600) / 60), 'min');
  return pair(Math.floor(s / 86400), 'd', Math.floor((s % 86400) / 3600), 'h');
}

function formatMinutes(minutes) {
  if (minutes === null || minutes === undefined) return 'never';
  return formatDuration(minutes * 60_000);
}

function formatRatio(ratio) {
  return ratio === null || ratio === undefined || !Number.isFinite(ratio) || ratio <= 0 ? '–' : `${ratio.toFixed(2)}×`;
}

function formatPercent(fraction) {
  return fraction === null || fraction === undefined ? '–' : `${(fraction * 100).toFixed(1)} %`;
}

/** A <time> element: readable local time, the exact instant in its datetime attribute and tooltip. */
function timeEl(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '–';
  return h('time', { datetime: d.toISOString(), title: d.toISOString() }, d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' }));
}

/** What a snapshot or job read, without database credentials (screens get shared). */
function describeSource(source) {
  if (!source) return '–';
  if (source.sourceKind) return source.sourceKind === 'directory' ? source.sourceId : `${source.sourceKind}: ${source.sourceId}`;
  if (source.kind === 'directory') return source.path;
  if (source.kind === 'stream') return `stream: ${source.name}`;
  if (source.kind === 'postgres') {
    try {
      const url = new URL(source.connection);
      return `postgres: ${url.hostname}${url.port ? `:${url.port}` : ''}${url.pathname}`;
    } catch {
      return 'postgres';
    }
  }
  return source.kind ?? '–';
}

const shortId = (id) => (id ? String(id).slice(0, 12) : '–');

function badge(text, tone) {
  return h('span', { class: `badge ${tone}` }, text);
}

const STATUS_TONE = { pending: 'neutral', requested: 'neutral', running: 'info', completed: 'good', failed: 'bad', cancelled: 'warn' };

/** A table with a caption (visually hidden when `hideCaption`), header cells scoped to columns. */
function dataTable(caption, headers, rows, { hideCaption = true, empty = 'Nothing yet.' } = {}) {
  if (rows.length === 0) return h('p', { class: 'empty' }, empty);
  return h('div', { class: 'table-wrap' },
    h('table', {},
      h('caption', { class: hideCaption ? 'visually-hidden' : '' }, caption),
      h('thead', {}, h('tr', {}, headers.map((text) => h('th', { scope: 'col' }, text)))),
      h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((cell, i) => (i === 0 ? h('th', { scope: 'row' }, cell) : h('td', {}, cell))))))));
}

// ---------------------------------------------------------------- API access

// The API key (or OIDC bearer token) this tab signs in with: kept for the tab's session only, sent on every call.
const CREDENTIAL = 'arca.credential';

function authorization() {
  const credential = sessionStorage.getItem(CREDENTIAL);
  return credential ? { authorization: `Bearer ${credential}` } : {};
}

/** Who is signed in (GET /whoami), or null. */
let session = null;

/**
 * What the signed-in roles allow, as the gateway decides it (docs/rest-api.md, "who"): the
 * console only hides what would be refused; the gateway refuses it anyway.
 */
const ALLOWS = {
  operate: ['admin', 'operator'], // policies, runs, restores, file downloads
  audit: ['admin', 'auditor'], // the audit log
  admin: ['admin'], // API keys
};

function can(what) {
  return Boolean(session?.roles.some((role) => ALLOWS[what].includes(role)));
}

/** Shows and hides every element marked data-requires="operate|audit|admin" (or "!operate": shown to the others) for the signed-in roles. */
function applyRoles() {
  for (const el of document.querySelectorAll('[data-requires]')) {
    const required = el.dataset.requires;
    el.hidden = required.startsWith('!') ? !session || can(required.slice(1)) : !can(required);
  }
}

/** The gateway's error body is `{ statusCode, error, message }` with message possibly a list. */
class ApiError extends Error {
  constructor(status, messages) {
    super(messages.join('; '));
    this.status = status;
    this.messages = messages;
  }
}

async function api(method, path, body) {
  // The audit log records the key's principal, not a name typed here.
  const headers = { accept: 'application/json', ...authorization() };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, ['The gateway cannot be reached. Is the platform running?']);
  }
  const text = await response.text();
  let parsed;
  try { parsed = text ? JSON.parse(text) : undefined; } catch { parsed = undefined; }
  if (!response.ok) {
    if (response.status === 401) {
      const reason = parsed?.message ? ` (${parsed.message})` : '';
      if (session) signOut(`Signed out: the gateway no longer accepts this credential${reason}.`);
      throw new ApiError(401, [`The gateway refused the credential${reason}.`]);
    }
    const message = parsed?.message ?? parsed?.error ?? `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, Array.isArray(message) ? message.map(String) : [String(message)]);
  }
  return parsed;
}

// ---------------------------------------------------------------- messages

let flashTimer;

/** A short message in the live region; errors stay until the next message. */
function flash(message, tone = 'good') {
  const el = $('flash');
  el.textContent = message;
  el.className = `flash ${tone}`;
  el.setAttribute('role', tone === 'error' ? 'alert' : 'status');
  el.hidden = false;
  clearTimeout(flashTimer);
  if (tone !== 'error') flashTimer = setTimeout(() => { el.hidden = true; }, 6000);
}

/** Shows a form's errors as a list inside its error box and moves focus there. */
function showErrors(box, error) {
  const heading = !(error instanceof ApiError) ? 'Please fix:' : error.status ? 'The gateway refused this:' : 'Could not send:';
  box.replaceChildren(h('p', {}, heading), h('ul', {}, (error.messages ?? [error.message]).map((m) => h('li', {}, m))));
  box.hidden = false;
  box.focus?.();
}

/** What a form's own checks found, shown under "Please fix:". */
class FormProblems extends Error {
  constructor(...messages) {
    super(messages.join('; '));
    this.messages = messages;
  }
}

/**
 * A form's submission: its error box hidden, its button disabled while `handler` runs, and
 * whatever the handler throws (FormProblems, or the gateway's refusal) shown in the error box.
 */
function onSubmit(form, errors, handler) {
  errors.tabIndex = -1;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    errors.hidden = true;
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      await handler();
    } catch (error) {
      showErrors(errors, error);
    } finally {
      button.disabled = false;
    }
  });
}

/** Renders a view's content, or the reason it could not be loaded, into a container. */
async function load(container, render) {
  container.setAttribute('aria-busy', 'true');
  try {
    container.replaceChildren(await render());
  } catch (error) {
    container.replaceChildren(h('p', { class: 'error-box', role: 'alert' }, `Could not load: ${error.message}`));
  } finally {
    container.setAttribute('aria-busy', 'false');
  }
}

// ---------------------------------------------------------------- dashboard

async function renderDashboard() {
  const [summary, health] = await Promise.all([api('GET', '/reports/summary'), fetchHealth()]);
  const stored = summary.usage?.repository?.bytesStored ?? summary.storage?.bytesStored;
  const packs = summary.usage?.repository?.packs ?? summary.storage?.packs;
  const card = (label, value, detail, tone = '') => h('div', { class: `card ${tone}` }, h('p', { class: 'card-label' }, label), h('p', { class: 'card-value' }, value), detail ? h('p', { class: 'card-detail' }, detail) : null);
  const rate = summary.jobs?.successRate;
  $('dashboard-cards').replaceChildren(
    card('Backup success rate', formatPercent(rate), `${summary.jobs.completed} completed, ${summary.jobs.failed} failed${summary.jobs.cancelled ? `, ${summary.jobs.cancelled} cancelled` : ''}`, rate === null ? '' : rate >= 0.99 ? 'good' : rate >= 0.9 ? 'warn' : 'bad'),
    card('Storage used', formatBytes(stored), packs !== undefined ? `${packs} packs` : null),
    card('Deduplication', formatRatio(summary.dedupeRatio), summary.storage?.bytesRead !== undefined ? `${formatBytes(summary.storage.bytesRead)} backed up` : null),
    card('Compression', formatRatio(summary.compressionRatio), null),
    summary.replication && (summary.replication.completed || summary.replication.failed)
      ? card('Replication', `${summary.replication.completed} copied`, `${summary.replication.failed} failed · max lag ${formatDuration(summary.replication.maxLagMs)}`, summary.replication.failed ? 'warn' : '')
      : null,
  );
  $('dashboard-cards').setAttribute('aria-busy', 'false');

  $('dashboard-rpo').replaceChildren(dataTable('Recovery point objective per policy', ['Policy', 'RPO', 'Last success', 'Age', 'Status'],
    (summary.rpo ?? []).map((p) => [p.name, formatMinutes(p.rpoMinutes), timeEl(p.lastSuccessAt), formatMinutes(p.ageMinutes),
      p.compliant ? badge('compliant', 'good') : badge(p.ageMinutes === null ? 'no backup yet' : 'breached', 'bad')]),
    { empty: 'No policies yet. Create one under Policies.' }));

  await load($('dashboard-charts'), renderCharts);

  $('dashboard-health').replaceChildren(health.error
    ? h('p', { class: 'error-box' }, `Health unknown: ${health.error}`)
    : h('ul', { class: 'health' }, Object.entries(health.services).map(([name, s]) => h('li', {},
      badge(s.status === 'up' ? 'up' : 'down', s.status === 'up' ? 'good' : 'bad'), ' ', name,
      s.status !== 'up' && s.message ? h('span', { class: 'muted' }, ` — ${s.message}`) : null))));
}

const formatRate = (bytesPerSec) => (bytesPerSec === null || bytesPerSec === undefined ? '–' : `${formatBytes(bytesPerSec)}/s`);
const formatAxisRatio = (ratio) => (ratio === null || ratio === undefined ? '–' : `${Number(ratio.toFixed(2))}×`);

/** Throughput and stored bytes over time, success rate per policy, dedupe and compression ratios (GET /reports/history). */
async function renderCharts() {
  const history = await api('GET', '/reports/history?days=30');
  const backups = history.backups;
  const point = (b, y) => ({ x: b.finishedAt, y, label: b.policyName ?? 'manual backup' });
  const ratio = (key) => backups.filter((b) => Number.isFinite(b[key]) && b[key] > 0).map((b) => point(b, b[key]));
  const wrap = h('div', { class: 'chart-grid' });
  wrap.append(
    timeChart({ name: 'throughput', caption: 'Backup throughput', series: [{ name: 'throughput', points: backups.filter((b) => b.throughputBytesPerSec !== null).map((b) => point(b, b.throughputBytesPerSec)) }], format: formatRate, base: 1024 }),
    timeChart({ name: 'storage', caption: 'Storage used', step: true, series: [{ name: 'stored', points: history.storage.map((p) => ({ x: p.at, y: p.bytesStored, label: `after a ${p.after}` })) }], format: formatBytes, base: 1024, note: 'Stored bytes after each backup and prune.' }),
    barChart({
      name: 'success', caption: 'Backup success rate per policy', format: formatPercent,
      tone: (v) => (v === null ? 'neutral' : v >= 0.99 ? 'good' : v >= 0.9 ? 'warn' : 'bad'),
      bars: history.policies.map((p) => ({ label: p.name ?? shortId(p.policyId), value: p.successRate, detail: `${p.completed} completed, ${p.failed} failed${p.cancelled ? `, ${p.cancelled} cancelled` : ''}` })),
    }),
    timeChart({ name: 'ratios', caption: 'Dedupe and compression ratios per backup', series: [{ name: 'dedupe', points: ratio('dedupeRatio') }, { name: 'compression', points: ratio('compressionRatio') }], format: formatAxisRatio, note: 'An unchanged backup stores nothing new and has no ratio.' }),
  );
  return wrap;
}

/**
 * Per-service health. /health answers 503 with the same body when something is down, which is
 * exactly when it is worth showing, so the status code is not treated as an error here. Both the
 * documented `services` map and terminus's `details` map are understood.
 */
async function fetchHealth() {
  try {
    const response = await fetch('/health', { headers: { accept: 'application/json' } });
    const body = await response.json();
    const services = body.services ?? body.details;
    if (!services) return { error: `HTTP ${response.status}` };
    return { services };
  } catch (error) {
    return { error: error.message };
  }
}

// ---------------------------------------------------------------- reports

const DAY_MS = 86_400_000;
const isoDay = (t) => new Date(t).toISOString().slice(0, 10);

/** The report filters as a query string (from, to, policy), or FormProblems naming what is wrong. */
function reportQuery() {
  const form = $('reports-form');
  const { from, to, policy } = Object.fromEntries(new FormData(form));
  const problems = [];
  if (!/^\d{4}-\d{2}-\d{2}$/.test(from)) problems.push('from must be a date');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(to)) problems.push('to must be a date');
  if (!problems.length && from >= to) problems.push('from must come before to');
  if (problems.length) throw new FormProblems(...problems);
  const query = new URLSearchParams({ from, to });
  if (policy) query.set('policy', policy);
  return { from, to, policy, query };
}

/** Sets the filters' defaults (the last 30 days, today included) and the policies to choose from, once per visit. */
async function setUpReportFilters() {
  const form = $('reports-form');
  if (!form.elements.from.value) form.elements.from.value = isoDay(Date.now() - 29 * DAY_MS);
  if (!form.elements.to.value) form.elements.to.value = isoDay(Date.now() + DAY_MS);
  fillPolicyOptions(await fetchPolicies().catch(() => policiesCache));
}

/** The policy filter's choices: those given, with those already offered (a report names deleted policies too), by name. */
function fillPolicyOptions(policies) {
  const select = $('reports-form').elements.policy;
  const chosen = select.value;
  const known = new Map([...select.options].filter((o) => o.value).map((o) => [o.value, o.textContent]));
  for (const p of policies) known.set(p.id, p.name);
  const sorted = [...known].sort((a, b) => a[1].localeCompare(b[1]));
  select.replaceChildren(h('option', { value: '' }, 'All policies'), ...sorted.map(([id, name]) => h('option', { value: id }, name)));
  select.value = known.has(chosen) ? chosen : '';
}

/**
 * Storage over time per site (GET /reports/storage-daily's totals), backup success rate per policy
 * and each policy's RPO timeline (GET /reports/compliance), for the filters' period and policy.
 */
async function renderReports() {
  const { from, to, query } = reportQuery();
  const [storage, report] = await Promise.all([
    api('GET', `/reports/storage-daily?${query}&limit=1`),
    api('GET', `/reports/compliance?${query}`),
  ]);
  if (!query.get('policy')) fillPolicyOptions(report.policies.map((p) => ({ id: p.policyId, name: p.name })));
  $('reports-period').textContent = `${from} to ${to} (not included), UTC${query.get('policy') ? `, policy ${$('rep-policy').selectedOptions[0]?.textContent ?? query.get('policy')}` : ''}.`;
  // The compliance report covers up to now: the future has no compliance yet.
  const end = Math.min(new Date(report.to).getTime(), new Date(report.generatedAt).getTime());
  const wrap = h('div', { class: 'chart-grid' });
  wrap.append(
    timeChart({
      name: 'storage-daily', caption: 'Storage used per day', area: true, base: 1024, format: formatBytes,
      series: storage.totals.map((site) => ({ name: site.site, points: site.days.map((d) => ({ x: `${d.day}T00:00:00Z`, y: d.bytesStored, label: `end of ${d.day}` })) })),
      note: 'Bytes stored at each site at the end of each day (UTC): backups stored, prunes freed, replication copied.',
    }),
    barChart({
      name: 'policy-success', caption: 'Backup success rate per policy', format: formatPercent,
      tone: (v) => (v === null ? 'neutral' : v >= 0.99 ? 'good' : v >= 0.9 ? 'warn' : 'bad'),
      bars: report.policies.map((p) => {
        const finished = p.backups.completed + p.backups.failed;
        return { label: p.name, value: finished ? p.backups.completed / finished : null, detail: `${p.backups.completed} completed, ${p.backups.failed} failed${p.backups.cancelled ? `, ${p.backups.cancelled} cancelled` : ''}` };
      }),
    }),
    timelineChart({
      name: 'rpo-timeline', caption: 'RPO compliance per policy', period: { from: report.from, to: new Date(end) },
      rows: report.policies.map((p) => ({
        label: p.name, breaches: p.rpo.breaches,
        ...(p.rpo.observedMs > 0 ? { from: new Date(end - p.rpo.observedMs), to: new Date(end) } : {}),
      })),
      note: `Green: RPO met; red: breached (${report.policies.map((p) => `${p.name} ${formatPercent(p.rpo.metShare)} met${p.rpo.breachedMs ? `, ${formatDuration(p.rpo.breachedMs)} in breach` : ''}`).join('; ') || 'no policies'}).`,
    }),
  );
  return wrap;
}

async function showReports() {
  $('reports-errors').hidden = true;
  try {
    await setUpReportFilters();
    reportQuery();
  } catch (error) {
    return showErrors($('reports-errors'), error);
  }
  await load($('reports-charts'), renderReports);
}

function setUpReportsForm() {
  const form = $('reports-form');
  onSubmit(form, $('reports-errors'), async () => {
    reportQuery();
    await load($('reports-charts'), renderReports);
  });
  for (const format of ['csv', 'pdf']) {
    $(`rep-${format}`).addEventListener('click', async () => {
      $('reports-errors').hidden = true;
      try {
        const { from, to, query } = reportQuery();
        query.set('format', format);
        await download(`/reports/compliance?${query}`, `arca-compliance-${from}-${to}.${format}`);
      } catch (error) {
        showErrors($('reports-errors'), error);
      }
    });
  }
}

// ---------------------------------------------------------------- policies

let policiesCache = [];

async function fetchPolicies() {
  policiesCache = await api('GET', '/policies');
  return policiesCache;
}

function describeRetention(retention = {}) {
  const parts = Object.entries(retention).filter(([, n]) => n > 0).map(([key, n]) => `${key.replace(/^keep/, '').toLowerCase()} ${n}`);
  return parts.length ? parts.join(', ') : 'keep all';
}

async function runNow(policy, button) {
  button.disabled = true;
  try {
    const { jobId } = await api('POST', '/jobs', { policyId: policy.id });
    flash(`Backup of “${policy.name}” started (job ${jobId.slice(0, 8)}).`);
    if (location.hash !== '#jobs') location.hash = '#jobs';
    else refreshJobs();
  } catch (error) {
    flash(`Could not start “${policy.name}”: ${error.message}`, 'error');
  } finally {
    button.disabled = false;
  }
}

/** A DELETE the user confirms first; then the view is shown again, or the refusal flashed. */
async function confirmedDelete({ question, path, done, what, view }) {
  if (!confirm(question)) return;
  try {
    await api('DELETE', path);
    flash(done);
    showView(view);
  } catch (error) {
    flash(`Could not ${what}: ${error.message}`, 'error');
  }
}

function deletePolicy(policy) {
  return confirmedDelete({
    question: `Delete policy “${policy.name}”? Scheduled backups stop; its snapshots stay until pruned.`,
    path: `/policies/${policy.id}`, done: `Policy “${policy.name}” deleted.`, what: `delete “${policy.name}”`, view: 'policies',
  });
}

async function renderPolicies() {
  const policies = await fetchPolicies();
  return dataTable('Backup policies', ['Name', 'Source', 'Schedule', 'Window', 'RPO', 'Retention', 'Actions'], policies.map((p) => [
    h('span', {}, p.name, ' ', h('span', { class: 'muted' }, `v${p.version}`)),
    describeSource(p.source),
    h('span', {}, h('code', {}, p.schedule.cron), ' ', h('span', { class: 'muted' }, p.schedule.timezone)),
    p.backupWindow ? `${p.backupWindow.start}–${p.backupWindow.end}` : 'any time',
    formatMinutes(p.rpoMinutes),
    describeRetention(p.retention),
    can('operate')
      ? h('span', { class: 'row-actions' },
        h('button', { type: 'button', onclick: (e) => runNow(p, e.currentTarget), 'aria-label': `Run ${p.name} now` }, 'Run now'),
        h('button', { type: 'button', class: 'danger', onclick: () => deletePolicy(p), 'aria-label': `Delete ${p.name}` }, 'Delete'))
      : h('span', { class: 'muted' }, 'read-only'),
  ]), { empty: can('operate') ? 'No policies yet. Create the first one below.' : 'No policies yet.' });
}

/** The policy form's values as a PolicySpec; empty optional fields are left out so the API's defaults apply. */
function policyFromForm(form) {
  const v = Object.fromEntries(new FormData(form));
  const number = (x) => (x === '' || x === undefined ? undefined : Number(x));
  const retention = {};
  for (const key of ['keepLast', 'keepHourly', 'keepDaily', 'keepWeekly', 'keepMonthly', 'keepYearly']) {
    if (number(v[key]) !== undefined) retention[key] = number(v[key]);
  }
  const spec = {
    name: v.name.trim(),
    source: v.kind === 'postgres' ? { kind: 'postgres', connection: v.connection.trim() } : { kind: 'directory', path: v.path.trim() },
    schedule: { cron: v.cron.trim(), timezone: v.timezone.trim() || 'UTC' },
    rpoMinutes: number(v.rpoMinutes),
    retention,
    replicate: form.elements.replicate.checked,
  };
  if (number(v.bandwidthMiB) !== undefined) spec.bandwidthLimitBytesPerSec = Math.round(number(v.bandwidthMiB) * 1024 * 1024);
  if (v.windowStart || v.windowEnd) spec.backupWindow = { start: v.windowStart, end: v.windowEnd };
  return spec;
}

/** Checks what the browser can check before asking the gateway, in the same words the API would use. */
function policyProblems(spec) {
  const problems = [];
  if (!/^[\w.-]{1,100}$/.test(spec.name)) problems.push('name must be 1-100 letters, digits, "_", "-" or "."');
  if (spec.source.kind === 'directory' && !spec.source.path.startsWith('/')) problems.push('source.path must be an absolute path');
  if (spec.source.kind === 'postgres' && !/^postgres(ql)?:\/\//.test(spec.source.connection)) problems.push('source.connection must be a postgres:// URL');
  if (spec.schedule.cron.split(/\s+/).length !== 5) problems.push('schedule.cron needs five fields (minute hour day month weekday)');
  if (spec.backupWindow && (!spec.backupWindow.start || !spec.backupWindow.end)) problems.push('give both ends of the backup window, or neither');
  if (!Number.isInteger(spec.rpoMinutes) || spec.rpoMinutes < 1) problems.push('rpoMinutes must be a whole number of minutes, at least 1');
  if (spec.bandwidthLimitBytesPerSec !== undefined && !(spec.bandwidthLimitBytesPerSec >= 1024)) problems.push('the bandwidth limit must be at least 1 KiB/s (0.001 MiB/s)');
  return problems;
}

function setUpPolicyForm() {
  const form = $('policy-form');
  const errors = $('policy-errors');
  errors.tabIndex = -1;
  const showKind = () => {
    for (const el of form.querySelectorAll('[data-kind]')) el.hidden = el.dataset.kind !== form.elements.kind.value;
  };
  form.elements.kind.addEventListener('change', showKind);
  showKind();
  // Suggest the browser's own list of IANA zones, the same names the scheduler understands.
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  $('timezones').replaceChildren(...['UTC', ...zones].map((z) => h('option', { value: z })));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    errors.hidden = true;
    const spec = policyFromForm(form);
    const problems = policyProblems(spec);
    if (problems.length) return showErrors(errors, { messages: problems });
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const created = await api('POST', '/policies', spec);
      flash(`Policy “${created.name}” created.`);
      form.reset();
      showKind();
      $('policy-create').open = false;
      showView('policies');
    } catch (error) {
      showErrors(errors, error);
    } finally {
      button.disabled = false;
    }
  });
}

// ---------------------------------------------------------------- jobs

let jobsTimer;

function jobProgress(job) {
  const p = job.progress;
  if (job.status === 'running' && p) {
    const done = p.bytesRead ?? p.bytesWritten ?? 0;
    const total = p.totalBytes;
    const label = `${formatBytes(done)}${total ? ` of ${formatBytes(total)}` : ''} · ${p.files ?? 0} files`;
    return h('div', { class: 'progress' },
      total ? h('progress', { max: total, value: done, 'aria-label': `${job.kind} progress` }) : h('progress', { 'aria-label': `${job.kind} progress, total unknown` }),
      h('span', {}, label),
      p.currentPath ? h('span', { class: 'muted path', title: p.currentPath }, p.currentPath) : null);
  }
  if (job.status === 'failed') return h('span', { class: 'error-text' }, job.error ?? 'failed');
  if (job.status === 'cancelled') return `cancelled: ${job.error ?? 'on request'}`;
  const s = job.stats ?? {};
  if (job.status === 'completed' && job.kind === 'backup') return `${s.files ?? 0} files · ${formatBytes(s.bytesRead)} read · ${formatBytes(s.bytesStored)} stored · ${s.bytesRead > 0 && s.bytesNew === 0 ? 'nothing new to store' : `dedupe ${formatRatio(s.dedupeRatio)}`}${s.errors ? ` · ${s.errors} not backed up` : ''}`;
  if (job.status === 'completed' && job.kind === 'restore') return `${s.files ?? 0} files · ${formatBytes(s.bytesWritten)} written${s.failedFiles?.length ? ` · ${s.failedFiles.length} failed` : ''}`;
  if (job.status === 'completed' && job.kind === 'check') return s.damaged?.length ? h('span', { class: 'error-text' }, `${s.damaged.length} damaged chunk(s)`) : `${s.packsChecked ?? 0} packs, no damage`;
  return job.status === 'requested' ? 'waiting for a worker' : '';
}

function jobDuration(job) {
  if (!job.startedAt) return '–';
  return formatDuration((job.finishedAt ? new Date(job.finishedAt) : new Date()).getTime() - new Date(job.startedAt).getTime());
}

async function renderJobs() {
  const jobs = await api('GET', '/jobs?limit=50');
  $('jobs-updated').textContent = `Updated ${new Date().toLocaleTimeString()} · refreshes every 2 s`;
  return dataTable('Recent jobs, newest first', ['Job', 'Kind', 'Status', 'What', 'Requested', 'Duration', 'Progress / result'], jobs.map((j) => [
    h('button', { type: 'button', class: 'link', onclick: () => openJob(j.jobId), 'aria-label': `Timeline of job ${j.jobId.slice(0, 8)}` }, h('code', { title: j.jobId }, j.jobId.slice(0, 8))),
    j.kind,
    badge(j.status, STATUS_TONE[j.status] ?? 'neutral'),
    j.kind === 'backup' ? describeSource(j.source) : j.snapshotId ? `snapshot ${shortId(j.snapshotId)}` : '–',
    timeEl(j.requestedAt),
    h('span', { class: 'nowrap' }, jobDuration(j)),
    jobProgress(j),
  ]), { empty: 'No jobs yet. Run a policy now, or back up with the arca command.' });
}

/**
 * One job (GET /jobs/:id) as a timeline: its trace id with the link to the trace viewer
 * (TRACE_URL_TEMPLATE), the attempt, which service failed and why, then each event with the
 * service that published it, its time and how long the job stayed in that stage.
 */
function renderJob(job) {
  const timeline = job.timeline ?? []; // none yet while only the scheduler knows the job
  const longest = Math.max(1, ...timeline.map((e) => e.durationMs ?? 0));
  const facts = [
    ['Status', badge(job.status, STATUS_TONE[job.status] ?? 'neutral')],
    ['Attempt', `${job.attempt ?? 1}${job.retryOf ? ` (retry of ${job.retryOf.slice(0, 8)})` : ''}`],
    ['Trace', job.traceId
      ? h('span', {}, h('code', { id: 'job-trace-id' }, job.traceId), ' ', job.traceUrl ? h('a', { href: job.traceUrl, target: '_blank', rel: 'noopener noreferrer', id: 'job-trace-link' }, 'Open the trace') : null)
      : 'none recorded'],
    ...(job.failure ? [[job.failure.stage === 'cancelled' ? 'Cancelled' : 'Failed in', h('span', { class: 'error-text', id: 'job-failure' },
      `${job.failure.service}${['failed', 'cancelled'].includes(job.failure.stage) ? '' : ` (stage ${job.failure.stage})`}: ${job.failure.error}`)]] : []),
  ];
  return h('div', {},
    h('dl', { class: 'facts' }, facts.flatMap(([term, value]) => [h('dt', {}, term), h('dd', {}, value)])),
    timeline.length === 0 ? h('p', { class: 'empty' }, 'No events recorded yet.') : h('ol', { class: 'timeline', 'aria-label': 'Events of the job, in order' },
      timeline.map((e) => h('li', { class: `timeline-${e.stage}` },
        timeEl(e.at),
        badge(e.service, e.stage === 'failed' ? 'bad' : 'neutral'),
        h('span', { class: 'timeline-event' }, e.events > 1 ? `${e.type} ×${e.events}` : e.type),
        h('span', { class: 'timeline-bar', 'aria-hidden': 'true' }, e.durationMs === null ? null : h('span', { style: `width: ${Math.max(1, (e.durationMs / longest) * 100).toFixed(1)}%` })),
        h('span', { class: 'nowrap timeline-duration' }, e.durationMs === null ? '' : formatDuration(e.durationMs))))));
}

async function openJob(jobId) {
  $('h-job').textContent = `Job ${jobId.slice(0, 8)}`;
  $('job-detail').hidden = false;
  await load($('job-body'), async () => renderJob(await api('GET', `/jobs/${encodeURIComponent(jobId)}`)));
  $('h-job').tabIndex = -1;
  $('h-job').focus();
}

async function renderRunNow() {
  if (!can('operate')) return;
  const policies = await fetchPolicies().catch(() => []);
  $('run-now').replaceChildren(
    policies.length ? h('span', { class: 'muted' }, 'Run now:') : null,
    ...policies.map((p) => h('button', { type: 'button', onclick: (e) => runNow(p, e.currentTarget), 'aria-label': `Run ${p.name} now` }, p.name)));
}

/** Refreshes the job table in place without moving focus or scroll; a failure keeps the last good table. */
async function refreshJobs() {
  try {
    $('jobs-list').replaceChildren(await renderJobs());
  } catch (error) {
    $('jobs-updated').textContent = `Could not refresh: ${error.message}`;
  }
}

function startJobsPolling() {
  stopJobsPolling();
  jobsTimer = setInterval(() => {
    if (!document.hidden) refreshJobs(); // no point polling for a tab nobody looks at
  }, 2000);
}

function stopJobsPolling() {
  clearInterval(jobsTimer);
  jobsTimer = undefined;
}

// ---------------------------------------------------------------- snapshots

const browser = { snapshot: null, path: '/' };

async function renderSnapshots() {
  const snapshots = await api('GET', '/snapshots');
  return dataTable('Snapshots, newest first', ['Snapshot', 'Time', 'Source', 'Files', 'Read', 'New', 'Stored', 'Dedupe', ''], snapshots.map((s) => [
    h('code', { title: s.id }, shortId(s.id)),
    timeEl(s.time),
    describeSource(s.source ?? s),
    String(s.stats?.files ?? 0),
    formatBytes(s.stats?.bytesRead),
    formatBytes(s.stats?.bytesNew),
    formatBytes(s.stats?.bytesStored),
    s.stats?.bytesRead > 0 && s.stats?.bytesNew === 0 ? '∞' : formatRatio(s.stats?.dedupeRatio),
    h('button', { type: 'button', onclick: () => openSnapshot(s), 'aria-label': `Browse${can('operate') ? ' and restore' : ''} snapshot ${shortId(s.id)}` }, 'Browse'),
  ]), { empty: 'No snapshots yet.' });
}

function openSnapshot(snapshot) {
  browser.snapshot = snapshot;
  browser.path = '/';
  $('h-snapshot').textContent = `Snapshot ${shortId(snapshot.id)} · ${describeSource(snapshot.source ?? snapshot)}`;
  $('restore-form').reset();
  $('restore-errors').hidden = true;
  $('snapshot-detail').hidden = false;
  browseTo('/');
  $('h-snapshot').tabIndex = -1;
  $('h-snapshot').focus();
}

function join(dir, name) {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

/** Adds or removes a path in the restore form's list when its box is ticked. */
function togglePath(path, on) {
  const area = $('r-paths');
  const paths = new Set(area.value.split('\n').map((p) => p.trim()).filter(Boolean));
  if (on) paths.add(path); else paths.delete(path);
  area.value = [...paths].join('\n');
}

function renderBreadcrumbs(path) {
  const parts = path.split('/').filter(Boolean);
  const crumbs = [h('a', { href: '#snapshots', onclick: (e) => { e.preventDefault(); browseTo('/'); } }, '/')];
  parts.forEach((part, i) => {
    const to = `/${parts.slice(0, i + 1).join('/')}`;
    crumbs.push(h('span', { 'aria-hidden': 'true' }, ' › '));
    crumbs.push(i === parts.length - 1
      ? h('span', { 'aria-current': 'location' }, part)
      : h('a', { href: '#snapshots', onclick: (e) => { e.preventDefault(); browseTo(to); } }, part));
  });
  $('tree-breadcrumbs').replaceChildren(...crumbs);
}

async function browseTo(path) {
  browser.path = path;
  renderBreadcrumbs(path);
  const id = browser.snapshot.id;
  await load($('tree-list'), async () => {
    const entries = await api('GET', `/snapshots/${id}/tree?path=${encodeURIComponent(path)}`);
    const selected = new Set($('r-paths').value.split('\n').map((p) => p.trim()));
    const sorted = [...entries].sort((a, b) => (a.type === 'dir') === (b.type === 'dir') ? a.name.localeCompare(b.name) : a.type === 'dir' ? -1 : 1);
    const rows = sorted.map((e) => {
      const full = e.path ?? join(path, e.name);
      const name = e.type === 'dir'
        ? h('a', { href: '#snapshots', onclick: (ev) => { ev.preventDefault(); browseTo(full); } }, `${e.name}/`)
        : (e.type === 'file' || e.type === 'hardlink') && can('operate')
          ? h('a', { href: `/snapshots/${id}/file?path=${encodeURIComponent(full)}`, title: 'Download this file', onclick: (ev) => { ev.preventDefault(); void download(ev.currentTarget.href, e.name); } }, e.name)
          : h('span', {}, e.name, e.target ? h('span', { class: 'muted' }, ` → ${e.target}`) : null);
      const cells = [
        name,
        e.type,
        e.size !== undefined && e.type !== 'dir' ? formatBytes(e.size) : '',
        timeEl(e.mtime),
      ];
      // Restoring and downloading are for operators: an auditor sees names and sizes only.
      if (can('operate')) cells.push(h('input', { type: 'checkbox', checked: selected.has(full), 'aria-label': `Restore ${full}`, onchange: (ev) => togglePath(full, ev.currentTarget.checked) }));
      return cells;
    });
    const headers = ['Name', 'Type', 'Size', 'Modified', ...(can('operate') ? ['Restore'] : [])];
    if (path !== '/') {
      const up = path.slice(0, path.lastIndexOf('/')) || '/';
      rows.unshift([h('a', { href: '#snapshots', onclick: (ev) => { ev.preventDefault(); browseTo(up); } }, '../'), 'parent', '', '', ...(can('operate') ? [''] : [])]);
    }
    return dataTable(`Contents of ${path}`, headers, rows, { empty: 'This directory is empty.' });
  });
}

function setUpRestoreForm() {
  const form = $('restore-form');
  const errors = $('restore-errors');
  errors.tabIndex = -1;
  $('snapshot-close').addEventListener('click', () => { $('snapshot-detail').hidden = true; browser.snapshot = null; });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    errors.hidden = true;
    const target = form.elements.target.value.trim();
    const paths = form.elements.paths.value.split('\n').map((p) => p.trim()).filter(Boolean).map((p) => (p.startsWith('/') ? p : `/${p}`));
    if (!target.startsWith('/')) return showErrors(errors, { messages: ['target must be an absolute path'] });
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const { jobId } = await api('POST', `/snapshots/${browser.snapshot.id}/restore`, { target, ...(paths.length ? { paths } : {}) });
      flash(`Restore of ${shortId(browser.snapshot.id)} into ${target} started (job ${jobId.slice(0, 8)}). Follow it under Jobs.`);
    } catch (error) {
      showErrors(errors, error);
    } finally {
      button.disabled = false;
    }
  });
}

// ---------------------------------------------------------------- audit

/** An audit record's details as "key: value" lines, long ids kept whole (they are what people search for). */
function describeDetails(details) {
  if (!details || typeof details !== 'object' || Object.keys(details).length === 0) return '';
  return h('ul', { class: 'details' }, Object.entries(details).map(([key, value]) =>
    h('li', {}, h('span', { class: 'muted' }, `${key}: `), typeof value === 'string' ? value : JSON.stringify(value))));
}

async function renderAudit() {
  const [entries, verified] = await Promise.all([api('GET', '/audit?limit=200'), api('GET', '/audit/verify').catch((error) => ({ error }))]);
  $('audit-verify').replaceChildren(verified.error
    ? `The chain could not be verified: ${verified.error.message}`
    : verified.valid
      ? h('span', {}, badge('chain intact', 'good'), ` ${verified.entries} entries, head #${verified.head?.seq ?? 0}`)
      : h('span', {}, badge('chain broken', 'bad'), ` at entry #${verified.firstBroken.seq}: ${verified.firstBroken.reason}`));
  return dataTable('Audit log, newest first', ['Time', 'Actor', 'Action', 'Target', 'Details'], entries.map((e) => [
    timeEl(e.time),
    e.actor,
    h('code', {}, e.action),
    e.target ? h('span', { class: 'long-id' }, e.target) : '–',
    describeDetails(e.details),
  ]), { empty: 'Nothing recorded yet.' });
}

// ---------------------------------------------------------------- webhooks

const DELIVERY_TONE = { pending: 'neutral', delivered: 'good', failed: 'bad' };

function removeWebhook(hook) {
  $('deliveries').hidden = true;
  return confirmedDelete({
    question: `Remove the subscription of ${hook.url}? Its deliveries go too.`,
    path: `/webhooks/${hook.id}`, done: `Subscription of ${hook.url} removed.`, what: `remove the subscription of ${hook.url}`, view: 'webhooks',
  });
}

async function testWebhook(hook, button) {
  button.disabled = true;
  try {
    await api('POST', `/webhooks/${hook.id}/test`);
    flash(`A webhook.test delivery to ${hook.url} is queued.`);
    await openDeliveries(hook);
  } catch (error) {
    flash(`Could not send a test: ${error.message}`, 'error');
  } finally {
    button.disabled = false;
  }
}

async function renderWebhooks() {
  const hooks = await api('GET', '/webhooks');
  return dataTable('Webhook subscriptions', ['Endpoint', 'Events', 'Created', 'By', ''], hooks.map((w) => [
    h('span', { class: 'long-id' }, w.url),
    w.events.join(', '),
    timeEl(w.createdAt),
    w.createdBy ?? '–',
    h('span', { class: 'row-actions' },
      h('button', { type: 'button', onclick: () => openDeliveries(w), 'aria-label': `Deliveries to ${w.url}` }, 'Deliveries'),
      can('admin') ? h('button', { type: 'button', onclick: (e) => testWebhook(w, e.currentTarget), 'aria-label': `Send a test to ${w.url}` }, 'Send test') : null,
      can('admin') ? h('button', { type: 'button', class: 'danger', onclick: () => removeWebhook(w), 'aria-label': `Remove ${w.url}` }, 'Remove') : null),
  ]), { empty: can('admin') ? 'No subscriptions yet. Add one below.' : 'No subscriptions.' });
}

async function openDeliveries(hook) {
  $('h-deliveries').textContent = `Deliveries to ${hook.url}`;
  $('deliveries').hidden = false;
  await load($('deliveries-list'), async () => {
    const deliveries = await api('GET', `/webhooks/${hook.id}/deliveries?limit=50`);
    return dataTable(`Deliveries to ${hook.url}, newest first`, ['Event', 'Status', 'Attempts', 'Last answer', 'Created', 'Delivered'], deliveries.map((d) => [
      h('code', {}, d.event),
      badge(d.status, DELIVERY_TONE[d.status] ?? 'neutral'),
      String(d.attempts),
      d.lastStatus ? `HTTP ${d.lastStatus}` : d.lastError ?? (d.status === 'pending' ? 'not sent yet' : '–'),
      timeEl(d.createdAt),
      d.deliveredAt ? timeEl(d.deliveredAt) : d.nextAttemptAt && d.status === 'pending' ? h('span', { class: 'muted' }, 'next try ', timeEl(d.nextAttemptAt)) : '–',
    ]), { empty: 'Nothing delivered yet.' });
  });
}

function setUpWebhookForm() {
  const form = $('webhook-form');
  $('deliveries-close').addEventListener('click', () => { $('deliveries').hidden = true; });
  onSubmit(form, $('webhook-errors'), async () => {
    const url = form.elements.url.value.trim();
    const events = [...form.querySelectorAll('input[name=events]:checked')].map((box) => box.value);
    const problems = [];
    if (!/^https?:\/\//.test(url)) problems.push('url must be an https:// URL (or http:// to loopback)');
    if (events.length === 0) problems.push('choose at least one event');
    if (problems.length) throw new FormProblems(...problems);
    const created = await api('POST', '/webhooks', { url, events });
    $('webhook-created-secret').textContent = created.secret;
    $('webhook-created').hidden = false;
    form.reset();
    await load($('webhooks-list'), renderWebhooks);
  });
}

// ---------------------------------------------------------------- API keys (admins)

function revokeKey(key) {
  return confirmedDelete({
    question: `Revoke key “${key.name}” (${key.role})? It stops working at once.`,
    path: `/keys/${key.id}`, done: `Key “${key.name}” revoked.`, what: `revoke “${key.name}”`, view: 'keys',
  });
}

async function renderKeys() {
  const keys = await api('GET', '/keys');
  return dataTable('API keys', ['Name', 'Role', 'Key begins', 'Created', 'Last used', 'Status', ''], keys.map((k) => [
    k.name,
    k.role,
    h('code', {}, `${k.prefix}…`),
    timeEl(k.createdAt),
    k.lastUsedAt ? timeEl(k.lastUsedAt) : 'never',
    k.revokedAt ? badge('revoked', 'neutral') : badge('active', 'good'),
    k.revokedAt || k.id === session?.id ? '' : h('button', { type: 'button', class: 'danger', onclick: () => revokeKey(k), 'aria-label': `Revoke key ${k.name}` }, 'Revoke'),
  ]), { empty: 'No keys.' });
}

function setUpKeyForm() {
  const form = $('key-create-form');
  onSubmit(form, $('key-errors'), async () => {
    const name = form.elements.name.value.trim();
    if (!name) throw new FormProblems('name must not be empty');
    const created = await api('POST', '/keys', { name, role: form.elements.role.value });
    $('key-created-value').textContent = created.key;
    $('key-created').hidden = false;
    form.reset();
    await load($('keys-list'), renderKeys);
  });
}

// ---------------------------------------------------------------- signing in

/** Asks the gateway who a credential is; keeps it for this tab if the gateway accepts it. */
async function signIn(credential) {
  sessionStorage.setItem(CREDENTIAL, credential);
  try {
    session = await api('GET', '/whoami');
  } catch (error) {
    sessionStorage.removeItem(CREDENTIAL);
    session = null;
    throw error;
  }
  $('session-who').replaceChildren(h('span', { class: 'who' }, session.name), ' ', ...session.roles.map((role) => badge(role, 'info')),
    ...(session.type === 'oidc' ? [h('span', { class: 'muted' }, ' (OIDC)')] : []),
    ' ', h('span', { class: 'muted tenant', title: 'the tenant whose policies, jobs and snapshots this session sees' }, `tenant ${session.tenant}`));
  $('session').hidden = false;
  $('nav').hidden = false;
  applyRoles();
}

function signOut(message) {
  sessionStorage.removeItem(CREDENTIAL);
  session = null;
  $('session').hidden = true;
  $('nav').hidden = true;
  $('key-created').hidden = true;
  $('key-created-value').textContent = '';
  $('webhook-created').hidden = true;
  $('webhook-created-secret').textContent = '';
  applyRoles();
  showView('signin');
  if (message) flash(message, 'error');
}

// Sign-in through the OIDC issuer: the authorization code flow with PKCE (S256) for a public client.
// The state and code verifier live in sessionStorage between leaving for the issuer and coming back.
const OIDC_PENDING = 'arca.oidcPending';

const base64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const randomText = () => base64url(crypto.getRandomValues(new Uint8Array(32)));
const redirectUri = () => `${location.origin}${location.pathname}`;

async function setUpOidc() {
  let config;
  try {
    config = (await api('GET', '/auth/console')).oidc;
  } catch {
    return; // API keys still work
  }
  if (!config) return;
  $('oidc-issuer').textContent = config.issuer;
  $('oidc-signin').hidden = false;
  const errors = $('oidc-errors');
  if (config.problem) {
    $('oidc-button').disabled = true;
    return showErrors(errors, { messages: [config.problem] });
  }
  $('oidc-button').addEventListener('click', async () => {
    const verifier = randomText();
    const state = randomText();
    const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
    sessionStorage.setItem(OIDC_PENDING, JSON.stringify({ state, verifier, tokenEndpoint: config.tokenEndpoint, clientId: config.clientId, view: currentView() }));
    const url = new URL(config.authorizationEndpoint);
    for (const [key, value] of Object.entries({ response_type: 'code', client_id: config.clientId, redirect_uri: redirectUri(), scope: config.scope, state, code_challenge: challenge, code_challenge_method: 'S256' })) {
      url.searchParams.set(key, value);
    }
    location.assign(url.toString());
  });
}

/** Back from the issuer with ?code=…&state=…: trades the code for tokens and signs in with the access token (or the ID token, when the access token is not a JWT). */
async function finishOidc() {
  const params = new URLSearchParams(location.search);
  if (!params.has('code') && !params.has('error')) return false;
  const pending = JSON.parse(sessionStorage.getItem(OIDC_PENDING) ?? 'null');
  sessionStorage.removeItem(OIDC_PENDING);
  history.replaceState(null, '', `${location.pathname}#${pending?.view ?? 'dashboard'}`);
  const fail = (message) => {
    showView('signin');
    showErrors($('oidc-errors'), { messages: [message] });
    return true;
  };
  if (params.has('error')) return fail(`The identity provider refused: ${params.get('error_description') ?? params.get('error')}`);
  if (!pending || pending.state !== params.get('state')) return fail('The sign-in answer does not match a sign-in started here (state); start again.');
  let tokens;
  try {
    const response = await fetch(pending.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: params.get('code'), redirect_uri: redirectUri(), client_id: pending.clientId, code_verifier: pending.verifier }),
    });
    tokens = await response.json();
    if (!response.ok) return fail(`The identity provider would not issue a token: ${tokens.error_description ?? tokens.error ?? response.status}`);
  } catch (error) {
    return fail(`The identity provider's token endpoint cannot be reached: ${error.message}`);
  }
  const jwt = (t) => typeof t === 'string' && t.split('.').length === 3;
  const token = jwt(tokens.access_token) ? tokens.access_token : tokens.id_token;
  if (!jwt(token)) return fail('The identity provider answered no JWT (access_token or id_token).');
  try {
    await signIn(token);
  } catch (error) {
    return fail(`The gateway refused the token: ${error.message}`);
  }
  return true;
}

function setUpSignIn() {
  const form = $('signin-form');
  onSubmit(form, $('signin-errors'), async () => {
    const credential = form.elements.credential.value.trim();
    if (!credential) throw new FormProblems('paste an API key (arca_…) or a bearer token');
    await signIn(credential);
    form.reset();
    showView(currentView());
  });
  $('sign-out').addEventListener('click', () => signOut());
}

// ---------------------------------------------------------------- navigation

const VIEWS = {
  dashboard: async () => {
    try {
      await renderDashboard();
    } catch (error) {
      $('dashboard-cards').replaceChildren(h('p', { class: 'error-box', role: 'alert' }, `Could not load the summary: ${error.message}`));
      $('dashboard-cards').setAttribute('aria-busy', 'false');
    }
  },
  policies: () => load($('policies-list'), renderPolicies),
  jobs: async () => {
    renderRunNow();
    await load($('jobs-list'), renderJobs);
    startJobsPolling();
  },
  snapshots: () => load($('snapshots-list'), renderSnapshots),
  reports: showReports,
  audit: () => load($('audit-list'), renderAudit),
  keys: () => load($('keys-list'), renderKeys),
  webhooks: () => load($('webhooks-list'), renderWebhooks),
  signin: () => $('credential').focus(),
};

/** Views only some roles may open; the others show the dashboard instead. */
const VIEW_REQUIRES = { audit: 'audit', keys: 'admin' };

function showView(name) {
  if (!VIEWS[name]) name = 'dashboard';
  if (!session) name = 'signin';
  else if (name === 'signin' || (VIEW_REQUIRES[name] && !can(VIEW_REQUIRES[name]))) name = 'dashboard';
  stopJobsPolling();
  for (const section of document.querySelectorAll('[data-section]')) section.hidden = section.dataset.section !== name;
  for (const link of document.querySelectorAll('nav [data-view]')) {
    if (link.dataset.view === name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  document.title = `${$(`h-${name}`).textContent} · Arca console`;
  VIEWS[name]();
}

/** A file out of a snapshot: fetched with the key (a plain link could not send it), then saved. */
async function download(url, name) {
  const response = await fetch(url, { headers: authorization() });
  if (!response.ok) return flash(`Download of ${name} failed: ${response.status} ${response.statusText}`, 'error');
  const link = h('a', { href: URL.createObjectURL(await response.blob()), download: name });
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
}

function currentView() {
  return location.hash.replace(/^#/, '') || 'dashboard';
}

async function start() {
  setUpSignIn();
  setUpPolicyForm();
  setUpRestoreForm();
  setUpKeyForm();
  setUpWebhookForm();
  setUpReportsForm();
  $('job-close').addEventListener('click', () => { $('job-detail').hidden = true; });
  window.addEventListener('hashchange', () => {
    showView(currentView());
    $('main').focus({ preventScroll: true }); // keyboard and screen-reader users land in the new view
  });
  applyRoles();
  await setUpOidc();
  const oidcAnswered = await finishOidc();
  // A reload keeps the tab signed in, if the gateway still accepts its credential.
  const kept = sessionStorage.getItem(CREDENTIAL);
  if (!session && kept && !oidcAnswered) await signIn(kept).catch(() => undefined);
  if (session || !oidcAnswered) showView(currentView());
}

start();
