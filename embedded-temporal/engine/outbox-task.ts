import type { temporal, HistoryEvent, P } from '../proto';

/** Work that crosses from one run to another; written in the same transaction as its cause, replayed after a crash. */
export interface RunRef {
  namespace: string;
  workflowId: string;
  runId: string;
}

export type OutboxTask =
  | {
      kind: 'startChild';
      parent: RunRef;
      parentWorkflowType: string;
      /** The parent's root execution, which becomes the child's (absent in tasks written before it was kept). */
      root?: { workflowId: string; runId: string };
      userMetadata?: P<temporal.api.sdk.v1.IUserMetadata>;
      initiatedEventId: number;
      attrs: P<temporal.api.command.v1.IStartChildWorkflowExecutionCommandAttributes>;
      /** A pinned parent's version (and pinned override) the child inherits (see worker-versioning.ts). */
      inheritedPinnedVersion?: { deploymentName: string; buildId: string };
      versioningOverride?: { pinned?: { deploymentName: string; buildId: string } };
    }
  | {
      kind: 'childClosed';
      parent: RunRef;
      initiatedEventId: number;
      child: RunRef;
      workflowType: string;
      close: HistoryEvent;
    }
  | {
      kind: 'signalExternal';
      source: RunRef;
      initiatedEventId: number;
      target: { namespace: string; workflowId: string; runId?: string };
      signalName: string;
      input?: P<temporal.api.common.v1.IPayloads>;
      header?: P<temporal.api.common.v1.IHeader>;
      childWorkflowOnly: boolean;
    }
  | {
      kind: 'cancelExternal';
      source: RunRef;
      initiatedEventId: number;
      target: { namespace: string; workflowId: string; runId?: string };
      childWorkflowOnly: boolean;
      reason?: string;
    }
  | {
      kind: 'parentClosed';
      parent: RunRef;
      children: { ref: { namespace: string; workflowId: string; runId?: string }; policy: number }[];
    };
