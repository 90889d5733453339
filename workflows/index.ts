/** Workflow bundle entry: the BPMN interpreter and the timer-start scheduler. */
export { processInstance } from './process-instance-workflow';
export { timerStartScheduler } from './timer-start-scheduler';
