/** Placeholder until this screen is built (issue 13, in progress). */
export default function MyWorkPage() {
  return (
    <>
      <h1>My work</h1>
      <p>This screen is not built yet.</p>
    </>
  );
}
