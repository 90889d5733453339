import { useCallback, useEffect, useState } from 'react';
import { api, query } from '../api/client';
import type { BreakGlassAlertRow } from '../api/types';
import { usePageTitle } from '../app/App';
import { Link, useLocation } from '../app/router';
import { ROLE_NAMES } from '../app/Layout';
import { NotificationBanner } from '../components/Callouts';
import { childName } from '../components/ChildBanner';
import { ErrorSummary, type SummaryError } from '../components/ErrorSummary';
import { Button } from '../components/Fields';
import { problemErrors } from '../components/Problem';
import { formatDateTime } from '../format/dates';
import { formatNhsNumber } from '../format/nhs-number';
import { TableHead } from '../components/TableHead';

export interface AlertsState {
  alerts: BreakGlassAlertRow[] | null;
  next: string | null;
  acknowledged: string | null;
  acknowledge(alert: BreakGlassAlertRow): Promise<void>;
  more(): Promise<void>;
}

/** Break-glass alerts of the lead's localities (open ones, or all), with acknowledging. */
export function useAlerts(openOnly: boolean, onError: (errors: SummaryError[]) => void): AlertsState {
  const [alerts, setAlerts] = useState<BreakGlassAlertRow[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [acknowledged, setAcknowledged] = useState<string | null>(null);
  const fail = useCallback((e: unknown) => onError(problemErrors(e)), [onError]);
  useEffect(() => {
    setAlerts(null);
    api<{ alerts: BreakGlassAlertRow[]; next: string | null }>(
      `/alerts/break-glass${query({ open: String(openOnly), limit: 25 })}`,
    )
      .then((r) => (setAlerts(r.alerts), setNext(r.next)))
      .catch(fail);
  }, [openOnly, fail]);
  return {
    alerts,
    next,
    acknowledged,
    async acknowledge(alert) {
      try {
        const done = await api<BreakGlassAlertRow>(`/alerts/break-glass/${alert.id}/acknowledge`, { method: 'POST' });
        setAlerts((list) => (list ?? []).map((a) => (a.id === alert.id ? { ...a, ...done, child: a.child } : a)));
        setAcknowledged(
          `Alert acknowledged: ${alert.actorDisplayName} opening ${alert.child ? childName(alert.child) : formatNhsNumber(alert.nhsNumber)}.`,
        );
      } catch (e) {
        fail(e);
      }
    },
    async more() {
      if (!next) return;
      try {
        const r = await api<{ alerts: BreakGlassAlertRow[]; next: string | null }>(
          `/alerts/break-glass${query({ open: String(openOnly), limit: 25, cursor: next })}`,
        );
        setAlerts((list) => [...(list ?? []), ...r.alerts]);
        setNext(r.next);
      } catch (e) {
        fail(e);
      }
    },
  };
}

export function AlertsTable({ alerts, acknowledge, acknowledged, next, more }: AlertsState) {
  if (alerts === null) return <p role="status">Loading…</p>;
  return (
    <>
      {acknowledged && (
        <NotificationBanner success>
          <p className="nhsuk-notification-banner__heading">{acknowledged}</p>
        </NotificationBanner>
      )}
      {alerts.length === 0 ? (
        <p>No break-glass alerts to show.</p>
      ) : (
        <table className="nhsuk-table" data-testid="alerts-table">
          <TableHead
            caption="Break-glass alerts, newest first"
            columns={['When', 'Who', 'Child', 'Reason given', 'Acknowledged']}
          />
          <tbody className="nhsuk-table__body">
            {alerts.map((a) => (
              <tr key={a.id}>
                <td className="nhsuk-table__cell">{formatDateTime(a.raisedAt)}</td>
                <td className="nhsuk-table__cell">
                  {a.actorDisplayName}
                  <br />
                  <span className="nhsuk-body-s">
                    {a.actorUsername}, {ROLE_NAMES[a.actorRole]}
                  </span>
                </td>
                <td className="nhsuk-table__cell">
                  {a.child ? <Link to={`/children/${a.nhsNumber}`}>{childName(a.child)}</Link> : 'Child'}
                  <br />
                  <span className="nhsuk-body-s app-nowrap">{formatNhsNumber(a.nhsNumber)}</span>
                </td>
                <td className="nhsuk-table__cell">{a.reason}</td>
                <td className="nhsuk-table__cell">
                  {a.acknowledgedAt ? (
                    `${a.acknowledgedByUsername ?? 'Yes'}, ${formatDateTime(a.acknowledgedAt)}`
                  ) : (
                    <Button
                      secondary
                      className="nhsuk-button--small app-table-button"
                      onClick={() => void acknowledge(a)}
                    >
                      Acknowledge<span className="nhsuk-u-visually-hidden"> the alert about {a.actorDisplayName}</span>
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next && (
        <Button secondary onClick={() => void more()}>
          Show more alerts
        </Button>
      )}
    </>
  );
}

export default function AlertsPage() {
  usePageTitle('Break-glass alerts');
  const { search } = useLocation();
  const all = search.get('show') === 'all';
  const [errors, setErrors] = useState<SummaryError[]>([]);
  const state = useAlerts(!all, setErrors);
  return (
    <>
      <ErrorSummary errors={errors} />
      <h1>Break-glass alerts</h1>
      <p>
        Each alert is a member of staff opening the record of a child in your localities from outside them, with the
        reason they gave. Acknowledge an alert once you are satisfied the access was needed.
      </p>
      <p>
        {all ? (
          <Link to="/alerts">Show only alerts to acknowledge</Link>
        ) : (
          <Link to="/alerts?show=all">Show acknowledged alerts too</Link>
        )}
      </p>
      <AlertsTable {...state} />
    </>
  );
}
