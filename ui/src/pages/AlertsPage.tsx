/** Placeholder until this screen is built (issue 13, in progress). */
export default function AlertsPage() {
  return (
    <>
      <h1>Break-glass alerts</h1>
      <p>This screen is not built yet.</p>
    </>
  );
}
