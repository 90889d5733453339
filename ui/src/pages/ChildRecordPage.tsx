/** Placeholder until this screen is built (issue 13, in progress). */
export default function ChildRecordPage() {
  return (
    <>
      <h1>Child record</h1>
      <p>This screen is not built yet.</p>
    </>
  );
}
