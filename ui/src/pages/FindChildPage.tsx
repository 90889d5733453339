/** Placeholder until this screen is built (issue 13, in progress). */
export default function FindChildPage() {
  return (
    <>
      <h1>Find a child</h1>
      <p>This screen is not built yet.</p>
    </>
  );
}
