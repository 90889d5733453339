/** Placeholder until this screen is built (issue 13, in progress). */
export default function SafeguardingPage() {
  return (
    <>
      <h1>Safeguarding dashboard</h1>
      <p>This screen is not built yet.</p>
    </>
  );
}
