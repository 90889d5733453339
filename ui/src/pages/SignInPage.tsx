import { useState, type FormEvent } from 'react';
import { ApiProblem } from '../api/client';
import { useAuth } from '../app/auth';
import { Link } from '../app/router';
import { ErrorSummary, type SummaryError } from '../components/ErrorSummary';
import { Button, TextInput } from '../components/Fields';
import { waitText } from '../components/Problem';

const NOTICES = {
  idle: (minutes: number) =>
    `You were signed out because you had not done anything for ${minutes} minutes. Sign in again to carry on.`,
  expired: () => 'Your session has ended. Sign in again to go back to the page you were on.',
  signedOut: () => 'You have signed out.',
};

export default function SignInPage() {
  const { status, user, options, notice, signIn } = useAuth();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<SummaryError[]>([]);
  const [fieldErrors, setFieldErrors] = useState<{ username?: string; password?: string }>({});
  const [busy, setBusy] = useState(false);
  const noticeKey = (new URLSearchParams(window.location.search).get('notice') ?? notice) as
    keyof typeof NOTICES | null;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const missing = {
      ...(username.trim() ? {} : { username: 'Enter your username' }),
      ...(password ? {} : { password: 'Enter your password' }),
    };
    setFieldErrors(missing);
    if (missing.username || missing.password) {
      setErrors([
        ...(missing.username ? [{ fieldId: 'username', text: missing.username }] : []),
        ...(missing.password ? [{ fieldId: 'password', text: missing.password }] : []),
      ]);
      return;
    }
    setBusy(true);
    try {
      await signIn(username.trim(), password);
    } catch (error) {
      setPassword('');
      if (error instanceof ApiProblem && error.status === 429) {
        const wait = error.retryAfterSeconds ?? Number(error.extra.retryAfterSeconds ?? 0);
        setErrors([
          {
            fieldId: null,
            text: `Too many failed sign-ins. Wait ${wait ? waitText(wait) : 'a few minutes'} before you try again.`,
          },
        ]);
      } else if (error instanceof ApiProblem && error.status === 401) {
        setErrors([{ fieldId: 'username', text: 'The username or password is not correct' }]);
      } else {
        setErrors([
          {
            fieldId: null,
            text: error instanceof ApiProblem ? error.detail || error.title : 'Sign-in failed: try again',
          },
        ]);
      }
    } finally {
      setBusy(false);
    }
  };

  if (status === 'signedIn' && user) {
    return (
      <>
        <h1>You are signed in</h1>
        <p>
          You are signed in as {user.displayName}. <Link to="/">Go to your work</Link>.
        </p>
      </>
    );
  }

  return (
    <div className="nhsuk-grid-row">
      <div className="nhsuk-grid-column-two-thirds">
        <ErrorSummary errors={errors} />
        {noticeKey && NOTICES[noticeKey] && errors.length === 0 && (
          <div className="nhsuk-inset-text" data-testid="sign-in-notice">
            <span className="nhsuk-u-visually-hidden">Information: </span>
            <p>{NOTICES[noticeKey](options?.sessionIdleMinutes ?? 30)}</p>
          </div>
        )}
        <h1>Sign in to CHIS Flow</h1>
        {options?.oidc.enabled && (
          <>
            <p>Use your NHS smartcard or security key.</p>
            <a className="nhsuk-button" href="/api/auth/oidc/login" draggable="false">
              {options.oidc.label}
            </a>
            <h2 className="nhsuk-heading-m">Or sign in with a local account</h2>
          </>
        )}
        <form onSubmit={(e) => void submit(e)} noValidate>
          <TextInput
            id="username"
            label="Username"
            value={username}
            onChange={setUsername}
            autoComplete="username"
            spellCheck={false}
            error={fieldErrors.username}
            width={20}
          />
          <TextInput
            id="password"
            label="Password"
            type="password"
            value={password}
            onChange={setPassword}
            autoComplete="current-password"
            error={fieldErrors.password}
            width={20}
          />
          <Button type="submit" disabled={busy}>
            Sign in
          </Button>
        </form>
      </div>
    </div>
  );
}
