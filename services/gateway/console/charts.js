// Charts for the console's dashboard and reports: plain SVG drawn here, no library. Each chart is a <figure>
// with a caption, an SVG marked role="img" with a text summary, and one <circle class="point"> or
// <rect class="bar"> per data point, each with a <title> tooltip giving the exact value.

const SVG = 'http://www.w3.org/2000/svg';

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) if (value !== undefined && value !== null) el.setAttribute(key, String(value));
  for (const child of children) if (child !== undefined && child !== null) el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return el;
}

function figure(name, caption, body, note) {
  const fig = document.createElement('figure');
  fig.className = 'chart';
  fig.dataset.chart = name;
  const cap = document.createElement('figcaption');
  cap.textContent = caption;
  fig.append(cap, body);
  if (note) {
    const p = document.createElement('p');
    p.className = 'chart-note muted';
    p.textContent = note;
    fig.append(p);
  }
  return fig;
}

function emptyChart(name, caption, message) {
  const p = document.createElement('p');
  p.className = 'empty';
  p.textContent = message;
  return figure(name, caption, p);
}

/**
 * Round numbers for an axis from 0 to at least `max`: 0, step, 2·step, … With `base` 1024 (bytes)
 * the steps are round in the unit the labels use (KiB, MiB, …), not in bytes.
 */
function ticks(max, base = 10, count = 4) {
  if (!(max > 0)) return [0, 1];
  if (base === 1024) {
    const unit = 1024 ** Math.max(0, Math.floor(Math.log(max) / Math.log(1024)));
    return ticks(max / unit, 10, count).map((v) => v * unit);
  }
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((candidate) => candidate >= raw);
  const out = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) out.push(v);
  if (out[out.length - 1] < max) out.push(out[out.length - 1] + step);
  return out;
}

const shortTime = (t) => new Date(t).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });

/**
 * Values over time: one line (with a point per value) for each series. `step` draws the line as
 * steps (a total that holds until it changes, such as stored bytes).
 */
export function timeChart({ name, caption, series, format, step = false, note, base = 10, area = false }) {
  const all = series.flatMap((line) => line.points);
  if (all.length === 0) return emptyChart(name, caption, 'No data in this period yet.');
  const W = 460; const H = 200; const left = 78; const right = 12; const top = 12; const bottom = 28;
  const times = all.map((p) => new Date(p.x).getTime());
  let t0 = Math.min(...times); let t1 = Math.max(...times);
  if (t0 === t1) { t0 -= 60_000; t1 += 60_000; } // one point: centre it in a two-minute span
  const yTicks = ticks(Math.max(...all.map((p) => p.y)), base);
  const yMax = yTicks[yTicks.length - 1];
  const x = (t) => left + ((new Date(t).getTime() - t0) / (t1 - t0)) * (W - left - right);
  const y = (v) => top + (1 - v / yMax) * (H - top - bottom);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `${caption}: ${series.map((line) => `${line.name} ${line.points.length} points, latest ${format(line.points[line.points.length - 1]?.y)}`).join('; ')}` });
  for (const v of yTicks) {
    svg.append(s('line', { class: 'grid', x1: left, x2: W - right, y1: y(v), y2: y(v) }));
    svg.append(s('text', { class: 'axis', x: left - 6, y: y(v) + 4, 'text-anchor': 'end' }, format(v)));
  }
  svg.append(s('text', { class: 'axis', x: left, y: H - 8, 'text-anchor': 'start' }, shortTime(t0)));
  svg.append(s('text', { class: 'axis', x: W - right, y: H - 8, 'text-anchor': 'end' }, shortTime(t1)));
  series.forEach((line, index) => {
    const points = [...line.points].sort((a, b) => new Date(a.x) - new Date(b.x));
    const coords = [];
    points.forEach((p, i) => {
      if (step && i > 0) coords.push(`${x(p.x)},${y(points[i - 1].y)}`);
      coords.push(`${x(p.x)},${y(p.y)}`);
    });
    if (area && points.length > 1) svg.append(s('polygon', { class: `area series-${index}`, points: `${x(points[0].x)},${y(0)} ${coords.join(' ')} ${x(points[points.length - 1].x)},${y(0)}` }));
    if (points.length > 1) svg.append(s('polyline', { class: `line series-${index}`, points: coords.join(' ') }));
    for (const p of points) {
      svg.append(s('circle', { class: `point series-${index}`, cx: x(p.x), cy: y(p.y), r: index === 0 ? 3.5 : 5.5, // later series as rings, so equal values stay visible
        'data-value': p.y, 'data-x': new Date(p.x).toISOString(), 'data-series': line.name },
        s('title', {}, `${line.name}: ${format(p.y)} · ${new Date(p.x).toLocaleString()}${p.label ? ` · ${p.label}` : ''}`)));
    }
  });
  const body = document.createElement('div');
  body.append(svg);
  if (series.length > 1) {
    const legend = document.createElement('ul');
    legend.className = 'legend';
    series.forEach((line, index) => {
      const li = document.createElement('li');
      const swatch = document.createElement('span');
      swatch.className = `swatch series-${index}`;
      li.append(swatch, line.name);
      legend.append(li);
    });
    body.append(legend);
  }
  return figure(name, caption, body, note);
}

/** Fractions from 0 to 1 as horizontal bars, one per label (success rate per policy). */
export function barChart({ name, caption, bars, format, tone }) {
  if (bars.length === 0) return emptyChart(name, caption, 'No backups in this period yet.');
  const W = 460; const row = 26; const left = 140; const right = 64; const H = bars.length * row + 8;
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `${caption}: ${bars.map((b) => `${b.label} ${format(b.value)}`).join('; ')}` });
  bars.forEach((b, i) => {
    const y = 4 + i * row;
    const width = Math.max(0, Math.min(1, b.value ?? 0)) * (W - left - right);
    svg.append(s('text', { class: 'axis label', x: left - 8, y: y + 15, 'text-anchor': 'end' }, b.label.length > 20 ? `${b.label.slice(0, 19)}…` : b.label));
    svg.append(s('rect', { class: 'track', x: left, y: y + 3, width: W - left - right, height: row - 10, rx: 3 }));
    svg.append(s('rect', { class: `bar ${tone(b.value)}`, x: left, y: y + 3, width, height: row - 10, rx: 3, 'data-value': b.value ?? '', 'data-label': b.label },
      s('title', {}, `${b.label}: ${format(b.value)}${b.detail ? ` (${b.detail})` : ''}`)));
    svg.append(s('text', { class: 'axis', x: W - right + 6, y: y + 15, 'text-anchor': 'start' }, format(b.value)));
  });
  return figure(name, caption, svg);
}

/**
 * Met and breached stretches over a period, one row per label (RPO compliance per policy): each
 * stretch a <rect class="interval met|breached"> with its bounds in data-from/data-to and a tooltip.
 * `rows`: [{ label, from, to, breaches: [{ from, to }] }], times as ISO strings or Dates; a row
 * without `from` (the policy did not exist in the period) gets no stretches.
 */
export function timelineChart({ name, caption, period, rows, note }) {
  if (rows.length === 0) return emptyChart(name, caption, 'No policies in this period.');
  const W = 460; const row = 26; const left = 140; const right = 12; const axis = 20; const H = rows.length * row + axis + 8;
  const t0 = new Date(period.from).getTime(); const t1 = Math.max(t0 + 1, new Date(period.to).getTime());
  const x = (t) => left + ((Math.min(Math.max(new Date(t).getTime(), t0), t1) - t0) / (t1 - t0)) * (W - left - right);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `${caption}: ${rows.map((r) => `${r.label} ${r.breaches.length} breach(es)`).join('; ')}` });
  rows.forEach((r, i) => {
    const y = 4 + i * row;
    const g = s('g', { class: 'timeline-row', 'data-label': r.label, 'data-breaches': r.breaches.length });
    g.append(s('text', { class: 'axis label', x: left - 8, y: y + 15, 'text-anchor': 'end' }, r.label.length > 20 ? `${r.label.slice(0, 19)}…` : r.label));
    g.append(s('rect', { class: 'track', x: left, y: y + 3, width: W - left - right, height: row - 10, rx: 3 }));
    for (const stretch of r.from ? intervals(r) : []) {
      const from = new Date(stretch.from); const to = new Date(stretch.to);
      g.append(s('rect', { class: `interval ${stretch.state}`, x: x(from), y: y + 3, width: Math.max(1, x(to) - x(from)), height: row - 10,
        'data-state': stretch.state, 'data-from': from.toISOString(), 'data-to': to.toISOString() },
        s('title', {}, `${r.label}: RPO ${stretch.state} ${from.toLocaleString()} – ${to.toLocaleString()}`)));
    }
    svg.append(g);
  });
  svg.append(s('text', { class: 'axis', x: left, y: H - 6, 'text-anchor': 'start' }, shortTime(t0)));
  svg.append(s('text', { class: 'axis', x: W - right, y: H - 6, 'text-anchor': 'end' }, shortTime(t1)));
  return figure(name, caption, svg, note);
}

/** A row's period cut into met and breached stretches, in order (breaches as given; the rest met). */
export function intervals({ from, to, breaches }) {
  const end = new Date(to).getTime();
  const out = [];
  let at = new Date(from).getTime();
  for (const b of [...breaches].sort((a, c) => new Date(a.from) - new Date(c.from))) {
    const bFrom = Math.max(at, new Date(b.from).getTime());
    const bTo = Math.min(end, b.to ? new Date(b.to).getTime() : end);
    if (bFrom > at) out.push({ state: 'met', from: new Date(at), to: new Date(bFrom) });
    if (bTo > bFrom) out.push({ state: 'breached', from: new Date(bFrom), to: new Date(bTo) });
    at = Math.max(at, bTo);
  }
  if (end > at) out.push({ state: 'met', from: new Date(at), to: new Date(end) });
  return out;
}
