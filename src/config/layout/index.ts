// Building a tenant's layout from its loaded configuration (semantics §D.3).
export { buildLayout } from './build.js';
export type { BuildLayoutOptions, FixedObjects } from './context.js';
export type { DirtyNames, ValidationReuse } from './reuse.js';
