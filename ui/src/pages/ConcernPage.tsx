/** Placeholder until this screen is built (issue 13, in progress). */
export default function ConcernPage() {
  return (
    <>
      <h1>Safeguarding concern</h1>
      <p>This screen is not built yet.</p>
    </>
  );
}
