import type { SourceSpec } from './types';

/** Human-readable sizes, rates, durations and times for tables and progress bars. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value.toFixed(0) : value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

export function formatRate(bytesPerSec: number | null | undefined): string {
  return bytesPerSec === null || bytesPerSec === undefined || !Number.isFinite(bytesPerSec) ? '-' : `${formatBytes(bytesPerSec)}/s`;
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(s / 86_400)}d${String(Math.floor((s % 86_400) / 3600)).padStart(2, '0')}h`;
}

export function formatRatio(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio) || ratio <= 0) return '-';
  return ratio >= 1000 ? `${(ratio / 1000).toFixed(0)}k×` : `${ratio.toFixed(2)}×`;
}

/** A backup that stored nothing new deduplicated everything: say so rather than divide by zero. */
export function formatDedupe(stats: { bytesRead: number; bytesNew: number; dedupeRatio?: number | null }): string {
  if (stats.bytesRead > 0 && stats.bytesNew === 0) return '∞';
  return formatRatio(stats.dedupeRatio ?? (stats.bytesNew > 0 ? stats.bytesRead / stats.bytesNew : undefined));
}

export function formatPercent(fraction: number | null | undefined): string {
  return fraction === null || fraction === undefined || !Number.isFinite(fraction) ? '-' : `${(fraction * 100).toFixed(1)}%`;
}

/** Local wall-clock time, to the second: what an operator compares with their own clock. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '-';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '-';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/**
 * One short label for what a snapshot or job backed up. A postgres URL loses its credentials:
 * tables and progress lines end up in terminals, logs and screenshots.
 */
export function describeSource(source: SourceSpec | null | undefined | { sourceKind?: string; sourceId?: string }): string {
  if (!source) return '-';
  if ('sourceKind' in source && source.sourceKind) {
    return source.sourceKind === 'directory' ? source.sourceId ?? '' : `${source.sourceKind}:${source.sourceId ?? ''}`;
  }
  const s = source as SourceSpec;
  switch (s.kind) {
    case 'directory': return s.path ?? '';
    case 'stream': return `stream:${s.name ?? ''}`;
    case 'postgres': {
      try {
        const url = new URL(s.connection ?? '');
        return `postgres:${url.hostname}${url.port ? `:${url.port}` : ''}${url.pathname}`;
      } catch {
        return 'postgres:(unparsable URL)';
      }
    }
    default: return String((s as { kind?: string }).kind ?? '-');
  }
}

/** A plain-text table with left-aligned columns, a dashed rule under the header, no trailing spaces. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (c ?? '').padEnd(widths[i])).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
