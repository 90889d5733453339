// Every workflow the conformance suite and crash tests run; the worker bundle starts here.
export * from './activity-workflows';
export * from './children';
export * from './lifecycle';
export * from './messages';
export * from './timers';
export * from './durability';
export * from './updates';
export * from './build-ids';
