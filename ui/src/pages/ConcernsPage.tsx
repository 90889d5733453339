/** Placeholder until this screen is built (issue 13, in progress). */
export default function ConcernsPage() {
  return (
    <>
      <h1>Safeguarding concerns</h1>
      <p>This screen is not built yet.</p>
    </>
  );
}
