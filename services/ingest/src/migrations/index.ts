import { Ingest1764000000000 } from './1764000000000-ingest';
import { JobWorker1765000000000 } from './1765000000000-job-worker';
import { JobCancel1766000000000 } from './1766000000000-job-cancel';
import { Lifecycle1766100000000 } from './1766100000000-lifecycle';
import { IngestTenants1768000000000 } from './1768000000000-ingest-tenants';
import { SnapshotRepository1769100000000 } from './1769100000000-snapshot-repository';
import { KeyGenerations1769600000000 } from './1769600000000-key-generations';
import { RecoverStaging1769900000000 } from './1769900000000-recover-staging';

/** Ingest's migrations in order: the service and its database tests run the same list. */
export const INGEST_MIGRATIONS = [Ingest1764000000000, JobWorker1765000000000, JobCancel1766000000000, Lifecycle1766100000000, IngestTenants1768000000000, SnapshotRepository1769100000000, KeyGenerations1769600000000, RecoverStaging1769900000000];
