export * from './clock';
export * from './cron';
export * from './local-time';
export * from './object-lock';
export * from './retention';
export * from './rpo';
export * from './scheduling';
export * from './window';
