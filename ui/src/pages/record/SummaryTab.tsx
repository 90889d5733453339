import type { ChildRecord } from '../../api/types';
import { SummaryList } from '../../components/SummaryList';
import { formatDate } from '../../format/dates';

const STATUS: Record<string, string> = { active: 'Active', deceased: 'Deceased', moved_out: 'Moved out of the region' };
const METHOD: Record<string, string> = { sms: 'Text message', email: 'Email', phone: 'Phone', letter: 'Letter' };

export function SummaryTab({ record }: { record: ChildRecord }) {
  // A restricted record's line and postcode both read "Withheld…": say it once.
  const address = [record.address.line1, record.address.line2, record.address.town, record.address.postcode].filter(
    (line, i, lines): line is string => Boolean(line) && lines.indexOf(line) === i,
  );
  return (
    <>
      <h2 className="nhsuk-heading-m">Summary</h2>
      <SummaryList
        rows={[
          { key: 'Name', value: `${record.givenName} ${record.familyName}` },
          { key: 'Date of birth', value: formatDate(record.dateOfBirth) },
          {
            key: 'Address',
            value: address.map((line, i) => (
              <span key={i}>
                {line}
                <br />
              </span>
            )),
          },
          {
            key: 'GP practice',
            value: record.gpPractice ? `${record.gpPracticeName ?? ''} (${record.gpPractice})` : 'Not known',
          },
          { key: 'Record status', value: STATUS[record.status] ?? record.status },
        ]}
      />
      <h2 className="nhsuk-heading-m">Contacts</h2>
      {record.contacts.length === 0 ? (
        <p>No contacts on record.</p>
      ) : (
        <table className="nhsuk-table">
          <caption className="nhsuk-u-visually-hidden">Contacts</caption>
          <thead className="nhsuk-table__head">
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Relationship</th>
              <th scope="col">Phone</th>
              <th scope="col">Email</th>
              <th scope="col">Prefers</th>
            </tr>
          </thead>
          <tbody className="nhsuk-table__body">
            {record.contacts.map((c) => (
              <tr key={c.id}>
                <td className="nhsuk-table__cell">
                  {c.name}
                  {c.isPrimary && (
                    <>
                      {' '}
                      <strong className="nhsuk-tag nhsuk-tag--blue">Main contact</strong>
                    </>
                  )}
                </td>
                <td className="nhsuk-table__cell">{c.relationship}</td>
                <td className="nhsuk-table__cell">{c.detailsWithheld ? 'Withheld' : (c.phone ?? 'Not known')}</td>
                <td className="nhsuk-table__cell">{c.detailsWithheld ? 'Withheld' : (c.email ?? 'Not known')}</td>
                <td className="nhsuk-table__cell">{METHOD[c.preferredMethod] ?? c.preferredMethod}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
