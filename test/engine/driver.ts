/**
 * Drives the pure engine in tests the way the interpreter workflow does: keeps the state,
 * a clock, and every command and event, and offers "complete the job", "fire the next timer".
 */
import type { CompiledGraph } from '../../bpmn/runtime';
import {
  completedPath,
  handleEvent,
  startInstance,
  type EngineCommand,
  type EngineEvent,
  type EngineState,
  type JobWait,
  type StartOptions,
  type TimerWait,
  type UserTaskWait,
  type Variables,
} from '../../workflows/engine';

export const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
export const DAY = 24 * 3600 * 1000;
export const SEED = '0f0e0d0c-0b0a-4908-8706-';

export class Driver {
  state: EngineState;
  now: number;
  readonly commands: EngineCommand[] = [];
  readonly trace: Array<{ event: EngineEvent | 'start'; commands: EngineCommand[]; at: number }> = [];

  /** Feed events as the interpreter workflow does (the state changed in place) rather than copying it. */
  private readonly inPlace: boolean;

  constructor(
    readonly graph: CompiledGraph,
    variables: Variables = {},
    options: Partial<StartOptions> & { now?: number; inPlace?: boolean } = {},
  ) {
    this.now = options.now ?? T0;
    this.inPlace = options.inPlace ?? false;
    const { inPlace: _inPlace, now: _now, ...start } = options;
    const step = startInstance(graph, variables, this.now, { idSeed: SEED, ...start });
    this.state = step.state;
    this.commands.push(...step.commands);
    this.trace.push({ event: 'start', commands: step.commands, at: this.now });
  }

  send(event: EngineEvent): EngineCommand[] {
    if (this.inPlace)
      return this.record(event, handleEvent(this.graph, this.state, event, this.now, { inPlace: true }));
    const before = JSON.stringify(this.state);
    const step = handleEvent(this.graph, this.state, event, this.now);
    // The engine must never change the state it was given.
    if (JSON.stringify(this.state) !== before) throw new Error('handleEvent mutated its input state');
    return this.record(event, step);
  }

  private record(event: EngineEvent, step: ReturnType<typeof handleEvent>): EngineCommand[] {
    this.state = step.state;
    this.commands.push(...step.commands);
    this.trace.push({ event, commands: step.commands, at: this.now });
    return step.commands;
  }

  get status() {
    return this.state.status;
  }

  get variables(): Variables {
    return this.state.status === 'running'
      ? this.state.instances[this.state.rootId].variables
      : (this.state.result ?? {});
  }

  /** Element ids in completion order. */
  get path(): string[] {
    return completedPath(this.state);
  }

  get active(): string[] {
    return Object.values(this.state.instances)
      .filter((i) => i.kind !== 'process')
      .map((i) => i.elementId);
  }

  jobs(activityType?: string): JobWait[] {
    return Object.values(this.state.waits).filter(
      (w): w is JobWait => w.type === 'job' && (activityType === undefined || w.activityType === activityType),
    );
  }

  tasks(elementId?: string): UserTaskWait[] {
    return Object.values(this.state.waits).filter(
      (w): w is UserTaskWait => w.type === 'userTask' && (elementId === undefined || w.nodeId === elementId),
    );
  }

  timers(): TimerWait[] {
    return Object.values(this.state.waits)
      .filter((w): w is TimerWait => w.type === 'timer')
      .sort((a, b) => a.fireAt - b.fireAt || a.id.localeCompare(b.id));
  }

  /** Completes the one open job of `activityType` (or of the given node). */
  completeJob(activityTypeOrNode: string, variables: Variables = {}): EngineCommand[] {
    const job = this.jobs().find((j) => j.activityType === activityTypeOrNode || j.nodeId === activityTypeOrNode);
    if (!job)
      throw new Error(
        `no open job for ${activityTypeOrNode}; open: ${this.jobs()
          .map((j) => j.nodeId)
          .join(', ')}`,
      );
    return this.send({ type: 'jobCompleted', jobId: job.id, variables });
  }

  completeTask(elementId: string, data: Variables = {}, outcome?: string): EngineCommand[] {
    const task = this.tasks(elementId)[0];
    if (!task) throw new Error(`no open user task ${elementId}`);
    return this.send({ type: 'userTaskCompleted', taskId: task.id, data, ...(outcome ? { outcome } : {}) });
  }

  /** Moves the clock to the earliest timer and fires it; returns its node id. */
  fireNextTimer(): string {
    const timer = this.timers()[0];
    if (!timer) throw new Error('no timer is armed');
    this.now = Math.max(this.now, timer.fireAt);
    this.send({ type: 'timerFired', timerId: timer.id });
    return timer.nodeId;
  }

  /** Fires every timer due up to `until`, in time order. Returns the node ids fired. */
  advanceTo(until: number): string[] {
    const fired: string[] = [];
    for (;;) {
      const timer = this.timers()[0];
      if (!timer || timer.fireAt > until) break;
      fired.push(this.fireNextTimer());
    }
    this.now = Math.max(this.now, until);
    return fired;
  }

  message(
    name: string,
    correlationKey: string | null,
    variables: Variables = {},
    bufferForMs?: number,
  ): EngineCommand[] {
    return this.send({
      type: 'messageReceived',
      name,
      correlationKey,
      variables,
      ...(bufferForMs ? { bufferForMs } : {}),
    });
  }

  commandsOf<T extends EngineCommand['type']>(type: T): Extract<EngineCommand, { type: T }>[] {
    return this.commands.filter((c): c is Extract<EngineCommand, { type: T }> => c.type === type);
  }
}
