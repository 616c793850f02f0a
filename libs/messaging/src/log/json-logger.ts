/**
 * The logging seam of this library, over pino: one JSON object per line on stdout, the format the
 * platform's log shipping expects. Services pass their own {@link MessagingLogger}; the services'
 * Nest logger is built on the same {@link jsonLogOptions}, so every line has the same shape.
 */
import { trace } from '@opentelemetry/api';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';

/** Severity, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** What the messaging components log through. */
export interface MessagingLogger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

/** Turns an unknown thrown value into log fields (never throws). */
export function errorFields(error: unknown): Record<string, unknown> {
  if (error instanceof Error) return { error: error.message, errorName: error.name, stack: error.stack };
  return { error: String(error) };
}

/** `trace_id` and `span_id` of the active OpenTelemetry span, so that a log line leads to its trace. */
function traceFields(): Record<string, string> {
  const span = trace.getActiveSpan()?.spanContext();
  return span ? { trace_id: span.traceId, span_id: span.spanId } : {};
}

/**
 * Kept by hand because pino gets these wrong for us: it writes a bigint as a bare JSON number
 * (readers parsing doubles lose precision), an Error anywhere but under `err` as `{}`, and a
 * logged `level` or `time` field a second time in the line (the last one wins when parsed).
 */
function readableFields(fields: Record<string, unknown>): Record<string, unknown> {
  const readable: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (key === 'level' || key === 'time') continue;
    if (typeof value === 'bigint') readable[key] = value.toString();
    else if (value instanceof Error && key !== 'err')
      readable[key] = { name: value.name, message: value.message };
    else readable[key] = value;
  }
  return readable;
}

/**
 * The pino options of every log line of the platform: `{"level":"info","time":"<ISO 8601>",
 * ...base, "trace_id", "span_id", ...fields, "msg"}`, at `level` and above.
 */
export function jsonLogOptions(level: LogLevel, base: Record<string, string>): LoggerOptions {
  return {
    level,
    base,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }), log: readableFields },
    mixin: traceFields,
  };
}

/** The stdout stream the default loggers of this process share (pino opens one per logger otherwise). */
let stdout: DestinationStream | undefined;

/** A logger that writes `{"time","level","logger","msg",...fields}` lines at `minLevel` and above. */
export class JsonLogger implements MessagingLogger {
  private readonly logger: Logger;

  constructor(name: string, minLevel: LogLevel = 'info', write?: (line: string) => void) {
    const destination = write
      ? { write: (line: string) => write(line.endsWith('\n') ? line.slice(0, -1) : line) }
      : (stdout ??= pino.destination(1));
    this.logger = pino(jsonLogOptions(minLevel, { logger: name }), destination);
  }

  log(level: LogLevel, message: string, fields: Record<string, unknown> = {}): void {
    // The logger's name and the message win over fields of the same name.
    const { logger: _logger, msg: _msg, ...rest } = fields;
    this.logger[level](rest, message);
  }
}
