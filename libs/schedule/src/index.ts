export * from './cron';
export * from './local-time';
export * from './retention';
export * from './rpo';
export * from './window';
