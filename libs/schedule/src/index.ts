export * from './cron';
export * from './local-time';
export * from './object-lock';
export * from './retention';
export * from './rpo';
export * from './window';
