import { runInSpan, useInMemorySpans } from '@arca/telemetry';
import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Logger as PinoLogger, LoggerModule } from 'nestjs-pino';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loggerOptions } from './logging';

/** A service's logger writing into memory: each line parsed as JSON. */
async function capture(env: NodeJS.ProcessEnv): Promise<{ lines: Array<Record<string, unknown>>; close: () => Promise<void> }> {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({ write(chunk, _enc, done) { lines.push(...String(chunk).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)); done(); } });
  const { pinoHttp } = loggerOptions('ingest', env);
  const moduleRef = await Test.createTestingModule({ imports: [LoggerModule.forRoot({ pinoHttp: [pinoHttp, stream] })] }).compile();
  const app = moduleRef.createNestApplication({ bufferLogs: true });
  app.useLogger(app.get(PinoLogger));
  await app.init();
  return { lines, close: () => app.close() };
}

describe('service logs', () => {
  it("are JSON lines with the service, level, context, message, and the trace, span and job of the work in progress", async () => {
    useInMemorySpans();
    const { lines, close } = await capture({ LOG_LEVEL: 'warn' });
    const logger = new Logger('JobWorker');
    const jobId = '6d5c4b3a-0000-4000-8000-000000000007';
    const span = await runInSpan('backup job', { jobId }, (s) => {
      logger.warn(`backup job ${jobId} failed: no such directory`);
      return s.spanContext();
    });
    logger.warn('outside any job');
    logger.log('below LOG_LEVEL: not written');
    await close();
    const failed = lines.find((l) => String(l.msg).includes('failed'));
    expect(failed).toMatchObject({ level: 'warn', service: 'arca-ingest', context: 'JobWorker', trace_id: span.traceId, span_id: span.spanId, job_id: jobId });
    const outside = lines.find((l) => l.msg === 'outside any job')!;
    expect(outside).toMatchObject({ level: 'warn', service: 'arca-ingest' });
    expect(outside).not.toHaveProperty('job_id');
    expect(outside).not.toHaveProperty('trace_id');
    expect(lines.some((l) => String(l.msg).includes('below LOG_LEVEL'))).toBe(false);
  });

  it('are readable lines through pino-pretty with LOG_FORMAT=pretty, at the level LOG_LEVEL names', () => {
    // In a process of its own: pino-pretty runs on a worker thread writing to that process's stdout.
    const script = `const pino = require('pino'); const { loggerOptions } = require(${JSON.stringify(path.join(__dirname, 'logging.ts'))});
      const log = pino(loggerOptions('ingest', { LOG_FORMAT: 'pretty', LOG_LEVEL: 'warn' }).pinoHttp);
      log.warn({ job_id: 'j-1', context: 'JobWorker' }, 'backup job j-1 failed'); log.info('not shown');`;
    const out = execFileSync(process.execPath, ['-r', '@swc-node/register', '-e', script], { encoding: 'utf8' });
    // eslint-disable-next-line no-control-regex
    expect(out.replace(/\x1b\[[0-9;]*m/g, '').trim().split('\n')).toEqual([expect.stringMatching(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: backup job j-1 failed \{.*"job_id":"j-1".*\}$/)]);

    const { pinoHttp } = loggerOptions('ingest', { LOG_FORMAT: 'pretty', LOG_LEVEL: 'verbose' });
    expect(pinoHttp).toMatchObject({ level: 'trace', transport: { target: expect.stringMatching(/pino-pretty/) } });
    expect(pinoHttp).not.toHaveProperty('formatters');
    expect(loggerOptions('ingest', { LOG_LEVEL: 'log' }).pinoHttp).toMatchObject({ level: 'info', formatters: expect.any(Object) });
  });
});
