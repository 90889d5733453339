import { useEffect } from 'react';
import { useUser } from '../app/auth';
import { homeFor } from '../app/routes';
import { navigate } from '../app/router';

/** `/` sends each role to its first screen. */
export default function HomePage() {
  const user = useUser();
  const home = homeFor(user.role);
  useEffect(() => {
    if (home) navigate(home, { replace: true });
  }, [home]);
  if (home) return null;
  return (
    <>
      <h1>CHIS Flow</h1>
      <p>There are no screens for your role yet.</p>
    </>
  );
}
