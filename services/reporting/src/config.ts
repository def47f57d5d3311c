import { CommonEnv, portMessage } from '@arca/service-kit';
import { IsOptional, IsPort, Matches } from 'class-validator';

export class ReportingEnv extends CommonEnv {
  @IsPort({ message: portMessage('REPORTING_PORT') })
  REPORTING_PORT = '3007';

  /** The job view's link to a job's trace, e.g. http://localhost:16686/trace/{traceId} (Jaeger) or a Tempo/Grafana URL. */
  @IsOptional()
  @Matches(/^https?:\/\/\S*\{traceId\}\S*$/, { message: 'TRACE_URL_TEMPLATE must be an http(s) URL containing {traceId}' })
  TRACE_URL_TEMPLATE: string | undefined = undefined;
}
