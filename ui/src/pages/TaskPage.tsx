/** Placeholder until this screen is built (issue 13, in progress). */
export default function TaskPage() {
  return (
    <>
      <h1>Task</h1>
      <p>This screen is not built yet.</p>
    </>
  );
}
