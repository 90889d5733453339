/** The benchmark's only activity: returns its input, so the server's own cost dominates. */
export async function echo(value: number): Promise<number> {
  return value;
}

export type BenchActivities = { echo: typeof echo };
