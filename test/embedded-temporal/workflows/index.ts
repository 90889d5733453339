export * from './core';
export * from './durable';
