import { Link } from '../app/router';

export default function NotFoundPage() {
  return (
    <>
      <h1>Page not found</h1>
      <p>If you typed the web address, check it is correct.</p>
      <p>
        Go to the <Link to="/">CHIS Flow home page</Link>.
      </p>
    </>
  );
}
