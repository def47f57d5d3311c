import { IsIn, IsOptional, Matches } from 'class-validator';

/** Variables every service reads. Service-specific classes extend this one. */
export class CommonEnv {
  /** Comma-separated host:port list; the dev broker from `npm start` listens on localhost:9092. */
  @Matches(/^[^,:\s]+:\d{1,5}(,[^,:\s]+:\d{1,5})*$/, { message: 'KAFKA_BROKERS must be a comma-separated list of host:port' })
  KAFKA_BROKERS = 'localhost:9092';

  /** postgres://user:pass@host:port/db. Unset: the launcher's choice (local server, else embedded PGlite). */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL: string | undefined = undefined;

  @IsIn(['error', 'warn', 'log', 'debug', 'verbose'], { message: 'LOG_LEVEL must be one of error, warn, log, debug, verbose' })
  LOG_LEVEL = 'warn';

  /** `json`: one JSON object a line, with trace_id, span_id and job_id (for log search); `pretty`: readable lines for a terminal. */
  @IsIn(['json', 'pretty'], { message: 'LOG_FORMAT must be json or pretty' })
  LOG_FORMAT = 'json';

  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, { message: 'OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL' })
  OTEL_EXPORTER_OTLP_ENDPOINT: string | undefined = undefined;
}

/** The message for the per-service *_PORT variables, which use class-validator's @IsPort. */
export function portMessage(variable: string): string {
  return `${variable} must be a TCP port number (0-65535)`;
}
