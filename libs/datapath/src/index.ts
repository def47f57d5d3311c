export * from './archiver';
export * from './checker';
export * from './chunk-reader';
export * from './chunk-sink';
export * from './chunker';
export { closeDataThreads, warmDataThread } from './data-thread';
export * from './hasher';
export * from './keys';
export * from './manifest';
export * from './pack';
export { decodeRaw, encodeRaw, readableName } from './raw-path';
export * from './restorer';
export * from './seal-pool';
export * from './sealer';
export * from './snapshot-reader';
export * from './tree';

export * from './threaded';
export * from './prune-plan';
