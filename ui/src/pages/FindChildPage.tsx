import { useEffect, useState, type FormEvent } from 'react';
import { api, query } from '../api/client';
import { rememberReason } from '../api/access-reasons';
import type { ChildSummary } from '../api/types';
import { usePageTitle } from '../app/App';
import { useUser } from '../app/auth';
import { Link, setSearch, useLocation } from '../app/router';
import { BreakGlassForm } from '../components/BreakGlass';
import { AlertTag, childName } from '../components/ChildBanner';
import { ErrorSummary, type SummaryError } from '../components/ErrorSummary';
import {
  Button,
  DateInput,
  EMPTY_DATE,
  TextInput,
  dateFromParts,
  partsFromDate,
  type DateParts,
} from '../components/Fields';
import { problemErrors } from '../components/Problem';
import { formatAge, formatDate } from '../format/dates';
import { digitsOf, formatNhsNumber, groupAsTyped, nhsNumberProblem } from '../format/nhs-number';
import { TableHead } from '../components/TableHead';

type Search = { nhsNumber: string } | { familyName: string; dateOfBirth: string };

function searchOf(params: URLSearchParams): Search | null {
  const nhs = params.get('nhsNumber');
  if (nhs) return { nhsNumber: nhs };
  const familyName = params.get('familyName');
  const dateOfBirth = params.get('dateOfBirth');
  return familyName && dateOfBirth ? { familyName, dateOfBirth } : null;
}

const describe = (s: Search) =>
  'nhsNumber' in s
    ? `NHS number ${formatNhsNumber(s.nhsNumber)}`
    : `family name "${s.familyName}" born ${formatDate(s.dateOfBirth)}`;

/** Find a child by NHS number (formatted as typed) or by family name and date of birth; other localities only with a reason. */
export default function FindChildPage() {
  usePageTitle('Find a child');
  const user = useUser();
  const { search: params } = useLocation();
  const search = searchOf(params);
  const everywhere = params.get('everywhere') === '1';
  const [nhsNumber, setNhsNumber] = useState(search && 'nhsNumber' in search ? groupAsTyped(search.nhsNumber) : '');
  const [familyName, setFamilyName] = useState(search && 'familyName' in search ? search.familyName : '');
  const [dob, setDob] = useState<DateParts>(
    search && 'dateOfBirth' in search ? partsFromDate(search.dateOfBirth) : EMPTY_DATE,
  );
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<SummaryError[]>([]);
  const [results, setResults] = useState<ChildSummary[] | null>(null);
  const [reason, setReason] = useState<string | null>(null);
  const key = search ? JSON.stringify(search) : '';

  useEffect(() => {
    setResults(null);
    if (!search) return;
    if (everywhere && !reason) return;
    let cancelled = false;
    api<{ results: ChildSummary[] }>(`/children${query({ ...search, limit: 20 })}`, {
      accessReason: everywhere ? reason : null,
    })
      .then((r) => {
        if (cancelled) return;
        setResults(r.results);
        if (everywhere && reason) for (const child of r.results) rememberReason(child.nhsNumber, reason);
      })
      .catch((error: unknown) => !cancelled && setErrors(problemErrors(error)));
    return () => {
      cancelled = true;
    };
    // `key` stands for the search object (a new object on every render).
  }, [key, everywhere, reason]);

  const byNhsNumber = (event: FormEvent) => {
    event.preventDefault();
    const problem = nhsNumberProblem(nhsNumber);
    setFieldErrors(problem ? { 'nhs-number': problem } : {});
    setErrors(problem ? [{ fieldId: 'nhs-number', text: problem }] : []);
    if (!problem) setSearch({ nhsNumber: digitsOf(nhsNumber), familyName: null, dateOfBirth: null, everywhere: null });
  };

  const byName = (event: FormEvent) => {
    event.preventDefault();
    const problems: Record<string, string> = {};
    if (!familyName.trim()) problems['family-name'] = 'Enter a family name';
    const date = dateFromParts(dob);
    if (!date.ok)
      problems['date-of-birth'] =
        date.reason === 'empty' ? 'Enter a date of birth' : 'Date of birth must be a real date';
    setFieldErrors(problems);
    setErrors(Object.entries(problems).map(([fieldId, text]) => ({ fieldId, text })));
    if (Object.keys(problems).length === 0 && date.ok)
      setSearch({ nhsNumber: null, familyName: familyName.trim(), dateOfBirth: date.value, everywhere: null });
  };

  if (search && everywhere && !reason) {
    return (
      <BreakGlassForm
        heading="Why do you need to search all localities?"
        about={`You are looking for a child with ${describe(search)}.`}
        onReason={(text) => setReason(text)}
        onCancel={() => setSearch({ everywhere: null })}
      />
    );
  }

  const localityNames = user.localities.map((l) => l.name).join(', ');
  return (
    <>
      <ErrorSummary errors={errors} />
      <h1>Find a child</h1>
      <div className="nhsuk-grid-row">
        <div className="nhsuk-grid-column-one-half">
          <form onSubmit={byNhsNumber} noValidate>
            <h2 className="nhsuk-heading-m">By NHS number</h2>
            <TextInput
              id="nhs-number"
              label="NHS number"
              hint="10 digits, for example 999 123 4567"
              value={nhsNumber}
              onChange={(v) => setNhsNumber(groupAsTyped(v))}
              inputMode="numeric"
              autoComplete="off"
              spellCheck={false}
              width={10}
              error={fieldErrors['nhs-number']}
            />
            <Button type="submit">Search by NHS number</Button>
          </form>
        </div>
        <div className="nhsuk-grid-column-one-half">
          <form onSubmit={byName} noValidate>
            <h2 className="nhsuk-heading-m">By name and date of birth</h2>
            <TextInput
              id="family-name"
              label="Family name"
              value={familyName}
              onChange={setFamilyName}
              autoComplete="off"
              spellCheck={false}
              width={20}
              error={fieldErrors['family-name']}
            />
            <DateInput
              id="date-of-birth"
              label="Date of birth"
              value={dob}
              onChange={setDob}
              error={fieldErrors['date-of-birth']}
            />
            <Button type="submit">Search by name and date of birth</Button>
          </form>
        </div>
      </div>
      {search && results && (
        <section aria-labelledby="results-heading">
          <h2 className="nhsuk-heading-m" id="results-heading">
            {results.length === 0
              ? 'No children found'
              : `${results.length} ${results.length === 1 ? 'child' : 'children'} found`}
          </h2>
          <p className="nhsuk-body" role="status">
            {results.length === 0 ? 'No child matches ' : 'Children matching '}
            {describe(search)}
            {everywhere ? ' in any locality.' : ` in your localities (${localityNames}).`}
          </p>
          {results.length > 0 && <ResultsTable results={results} />}
          {!everywhere && (
            <>
              <p className="nhsuk-body">Looking for a child who lives in another locality?</p>
              <Button secondary onClick={() => setSearch({ everywhere: '1' })}>
                Search all localities
              </Button>
            </>
          )}
        </section>
      )}
    </>
  );
}

function ResultsTable({ results }: { results: ChildSummary[] }) {
  return (
    <table className="nhsuk-table">
      <TableHead caption="Children found" columns={['Name', 'NHS number', 'Born', 'Postcode', 'Locality']} />
      <tbody className="nhsuk-table__body">
        {results.map((child) => (
          <tr key={child.nhsNumber}>
            <td className="nhsuk-table__cell">
              <Link to={`/children/${child.nhsNumber}`}>{childName(child)}</Link>{' '}
              <AlertTag alert={child.safeguardingAlert} />
            </td>
            <td className="nhsuk-table__cell app-nowrap">{formatNhsNumber(child.nhsNumber)}</td>
            <td className="nhsuk-table__cell">
              {formatDate(child.dateOfBirth)} ({formatAge(child.dateOfBirth)})
            </td>
            <td className="nhsuk-table__cell">{child.postcode}</td>
            <td className="nhsuk-table__cell">{child.localityName}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
