export * from './common/schemas';
export * from './org/roles';
export * from './org/data-scope';
export * from './org/org.schemas';
