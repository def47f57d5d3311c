// Charts for the console's dashboard: plain SVG drawn here, no library. Each chart is a <figure>
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
export function timeChart({ name, caption, series, format, step = false, note, base = 10 }) {
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
    if (points.length > 1) svg.append(s('polyline', { class: `line series-${index}`, points: coords.join(' ') }));
    for (const p of points) {
      svg.append(s('circle', { class: `point series-${index}`, cx: x(p.x), cy: y(p.y), r: index === 0 ? 3.5 : 5.5, // later series as rings, so equal values stay visible
        'data-value': p.y },
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
    svg.append(s('rect', { class: `bar ${tone(b.value)}`, x: left, y: y + 3, width, height: row - 10, rx: 3, 'data-value': b.value ?? '' },
      s('title', {}, `${b.label}: ${format(b.value)}${b.detail ? ` (${b.detail})` : ''}`)));
    svg.append(s('text', { class: 'axis', x: W - right + 6, y: y + 15, 'text-anchor': 'start' }, format(b.value)));
  });
  return figure(name, caption, svg);
}
