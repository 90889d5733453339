const STATUS: Record<string, { text: string; colour: string }> = {
  open: { text: 'Open', colour: 'nhsuk-tag--blue' },
  escalated: { text: 'Escalated', colour: 'nhsuk-tag--red' },
  monitoring: { text: 'Monitoring', colour: 'nhsuk-tag--yellow' },
  referred: { text: 'Referred', colour: 'nhsuk-tag--purple' },
  closed: { text: 'Closed', colour: 'nhsuk-tag--grey' },
};

export function ConcernStatusTag({ status }: { status: string }) {
  const s = STATUS[status] ?? { text: status, colour: 'nhsuk-tag--grey' };
  return <strong className={`nhsuk-tag ${s.colour}`}>{s.text}</strong>;
}

export const OUTCOMES: Record<string, string> = {
  no_further_action: 'No further action',
  monitoring_complete: 'Monitoring complete',
  referred_to_childrens_social_care: "Referred to children's social care",
  referred_to_other_agency: 'Referred to another agency',
};
