/** Workflow bundle entry: the BPMN interpreter. */
export { processInstance } from './process-instance-workflow';
