export * from './permissions.ts';
export * from './errors.ts';
export * from './common.ts';
export * from './auth.ts';
export * from './members.ts';
export * from './audit.ts';
export * from './ingest.ts';
