export * from './clock';
export * from './cron';
export * from './local-time';
export * from './retention';
export * from './rpo';
export * from './scheduling';
export * from './window';
