export * from './propagation';
export * from './start-telemetry';
export * from './testing';
export * from './metrics';
