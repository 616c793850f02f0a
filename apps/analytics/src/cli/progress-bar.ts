/** What the progress bar shows of a rebuild (the fields of `GET /admin/rebuilds/current`). */
export interface ProgressView {
  generation: number;
  state: string;
  done: number;
  total: number;
  ratePerSecond: number;
  etaSeconds: number | null;
}

const count = (n: number) => n.toLocaleString('en-US');

/** `1:02:03`, `2:03`, `0:05`; `--:--` when unknown. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '--:--';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

/** Done as a fraction of total (1 when there is nothing to do). */
export function fractionDone({ done, total }: Pick<ProgressView, 'done' | 'total'>): number {
  return total <= 0 ? 1 : Math.min(1, Math.max(0, done / total));
}

/** The figures: `45% 12,345/27,000 events, 8,123 events/s, 0:02 left (generation 3, building)`. */
export function progressLine(view: ProgressView): string {
  const percent = Math.floor(fractionDone(view) * 100);
  return (
    `${percent}% ${count(view.done)}/${count(view.total)} events, ${count(view.ratePerSecond)} events/s, ` +
    `${formatDuration(view.etaSeconds)} left (generation ${view.generation}, ${view.state})`
  );
}

/** A bar `[#####-----]` of `width` cells, then the figures. */
export function progressBar(view: ProgressView, width = 30): string {
  const filled = Math.round(fractionDone(view) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${progressLine(view)}`;
}
