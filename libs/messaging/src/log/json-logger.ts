/**
 * The tiny logging seam of this library: one JSON object per line on stdout, the format the
 * platform's log shipping expects. Services may pass their own {@link MessagingLogger}.
 */

/** Severity, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** What the messaging components log through. */
export interface MessagingLogger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Turns an unknown thrown value into log fields (never throws). */
export function errorFields(error: unknown): Record<string, unknown> {
  if (error instanceof Error) return { error: error.message, errorName: error.name, stack: error.stack };
  return { error: String(error) };
}

function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}

/** A logger that writes `{"time","level","logger","msg",...fields}` lines at `minLevel` and above. */
export class JsonLogger implements MessagingLogger {
  constructor(
    private readonly name: string,
    private readonly minLevel: LogLevel = 'info',
    private readonly write: (line: string) => void = (line) => process.stdout.write(line + '\n'),
  ) {}

  log(level: LogLevel, message: string, fields: Record<string, unknown> = {}): void {
    if (RANK[level] < RANK[this.minLevel]) return;
    const base = { time: new Date().toISOString(), level, logger: this.name, msg: message };
    let line: string;
    try {
      // Base fields first in the line and not overridable by `fields`.
      line = JSON.stringify(Object.assign({ ...base }, fields, base), jsonSafe);
    } catch {
      line = JSON.stringify(base);
    }
    this.write(line);
  }
}
