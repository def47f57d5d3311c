/**
 * The policy service's secret store (internal routes; never behind the gateway):
 * - `GET /secrets/:ref` → `SourceSecret` (404 when none is held): the ingest worker running a job
 *   whose source carries `secretRef` asks for the password at job time;
 * - `PUT /secrets/:ref` with `{ password }`: the scheduler keeps the password of a one-off
 *   backup's source (`job:<jobId>:source`) before it announces the job.
 * A policy's own secret (`policy:<id>:source`) is written by the policy service with the policy.
 */
export interface SourceSecret {
  ref: string;
  password: string;
}
