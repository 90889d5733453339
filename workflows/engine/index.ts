/** The pure BPMN token engine (no Temporal imports): see engine.ts for the entry points. */
export { handleEvent, startInstance, type HandleOptions, type StartOptions } from './engine';
export { completedPath, instanceView, type ActiveElement, type InstanceView, type OpenUserTask } from './view';
export { userTaskCompletionProblems } from './user-task-form';
export * from './types';
