export * from './common/schemas';
export * from './org/roles';
export * from './org/data-scope';
export * from './org/org.schemas';
export * from './customer/crm-enums';
export * from './customer/normalize';
export * from './customer/search-keys';
export * from './customer/crm.schemas';
