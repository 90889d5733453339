import { Context } from '@temporalio/activity';

export async function greet(name: string): Promise<string> {
  return `Hello, ${name}!`;
}

/** Fails until attempt `failTimes + 1`, then returns the attempt number. */
export async function failUntil(failTimes: number): Promise<number> {
  const attempt = Context.current().info.attempt;
  if (attempt <= failTimes) throw new Error(`attempt ${attempt} fails`);
  return attempt;
}

/** Waits `ms` (so a test can kill the server meanwhile), then echoes. */
export async function slowEcho(value: string, ms: number): Promise<string> {
  await new Promise((resolve) => setTimeout(resolve, ms));
  return value;
}
