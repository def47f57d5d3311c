import { logContext } from '@arca/telemetry';
import { DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';

/** LOG_LEVEL (Nest's names) as pino's levels. */
const PINO_LEVELS: Record<string, string> = { error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' };

/**
 * The options of a service's logger: one JSON object a line (pino) with `service`, `level`,
 * `time`, `context` (the Nest logger's name), `msg`, and `trace_id`, `span_id` and `job_id` of the
 * work in progress, so a search for a job or trace id finds its lines in every service.
 * `LOG_FORMAT=pretty` prints the same as coloured lines for a terminal (pino-pretty).
 * HTTP requests are not logged one by one (their spans say it).
 */
export function loggerOptions(serviceName: string, env: NodeJS.ProcessEnv = process.env) {
  const pretty = env.LOG_FORMAT === 'pretty';
  return {
    pinoHttp: {
      level: PINO_LEVELS[env.LOG_LEVEL ?? 'warn'] ?? 'warn',
      base: { service: `arca-${serviceName}` },
      autoLogging: false,
      quietReqLogger: true,
      mixin: logContext,
      // pino-pretty shows level names itself; JSON gets them as words, not numbers.
      ...(pretty
        ? { transport: { target: require.resolve('pino-pretty'), options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service', singleLine: true } } }
        : { formatters: { level: (label: string) => ({ level: label }) } }),
    },
  };
}

/** The Nest module that gives a service its pino logger (bootstrapService makes it the app's logger). */
export function loggingModule(serviceName: string): DynamicModule {
  return LoggerModule.forRoot(loggerOptions(serviceName));
}
