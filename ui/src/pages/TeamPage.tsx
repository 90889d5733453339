/** Placeholder until this screen is built (issue 13, in progress). */
export default function TeamPage() {
  return (
    <>
      <h1>Team workload</h1>
      <p>This screen is not built yet.</p>
    </>
  );
}
