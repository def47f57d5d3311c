export * from './config';
export * from './forwarding-object-store';
export * from './fs-object-store';
export * from './object-store';
export * from './s3-object-store';
