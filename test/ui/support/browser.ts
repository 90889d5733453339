/**
 * Browser tests: Debian's Chromium driven by playwright-core (no downloaded browser), the real
 * CHIS stack serving the built UI, and axe-core checking every screen a test looks at for
 * WCAG 2.2 AA. Each checked screen is also saved as a PNG under test-results/ui/ (git-ignored)
 * for a person to look at.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { hashPassword } from '../../../api/auth/passwords';
import { createStaff } from '../../../records/staff';
import { DEMO_PASSWORD } from '../../../db/seed';
import { listen } from '../../../system/http-server';
import { startChisStack, type ChisStack, type StackOptions } from '../../support/chis-stack';

export const CHROMIUM = process.env.CHIS_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = resolve(__dirname, '../../../test-results/ui');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/**
 * Browser suites need Chromium. Without it they are skipped with a message (a developer machine
 * without the Debian package); in CI (CI=true) a missing browser fails the run instead.
 */
export function describeInBrowser(name: string, body: () => void): void {
  if (existsSync(CHROMIUM)) return describe(name, body);
  if (process.env.CI === 'true') {
    describe(name, () => {
      test('has Chromium', () => {
        throw new Error(`No Chromium at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHIS_CHROMIUM`);
      });
    });
    return;
  }
  process.stderr.write(`Skipping browser tests "${name}": no Chromium at ${CHROMIUM} (apt-get install -y chromium)\n`);
  describe.skip(name, body);
}

export interface UiStack {
  stack: ChisStack;
  browser: Browser;
  baseUrl: string;
  /** A fresh browser (own cookies) on the app, in British English and UK time. */
  newPage(): Promise<UiPage>;
}

/** A page with what a test checks at the end: uncaught errors and CSP refusals. */
export interface UiPage {
  page: Page;
  context: BrowserContext;
  problems: string[];
}

/**
 * Starts the stack (serving ui/dist), an HTTP listener on a free port and Chromium, before the
 * file's tests; stops them after. `use` receives the running pieces.
 */
export function uiStackPerFile(options: StackOptions, use: (ui: UiStack) => unknown): void {
  // A browser test walks several screens on a loaded 2-core machine; each step has its own 60 s wait.
  jest.setTimeout(240_000);
  let stack: ChisStack | undefined;
  let http: { port: number; stop(): Promise<void> } | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    stack = await startChisStack({ ...options, ui: true });
    http = await listen(stack.app, '127.0.0.1', 0);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
    });
    const baseUrl = `http://127.0.0.1:${http.port}`;
    const ui: UiStack = {
      stack,
      browser,
      baseUrl,
      async newPage() {
        const context = await browser!.newContext({
          baseURL: baseUrl,
          locale: 'en-GB',
          timezoneId: 'Europe/London',
          viewport: { width: 1280, height: 900 },
        });
        // Hermetic: nothing leaves the machine (nhsuk-frontend asks assets.nhs.uk for its font; Arial is used instead).
        await context.route(/^(?!http:\/\/127\.0\.0\.1:\d+\/).*/, (route) => route.abort());
        // Playwright's 30 s default was too short for a reload of the app at load 15 (a full run beside other work).
        context.setDefaultTimeout(60_000);
        const page = await context.newPage();
        const problems: string[] = [];
        page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
        page.on('console', (message) => {
          if (message.type() === 'error' && /Content Security Policy|Refused to/.test(message.text())) {
            problems.push(`CSP: ${message.text()}`);
          }
        });
        return { page, context, problems };
      },
    };
    await use(ui);
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await http?.stop();
    await stack?.close();
  }, 120_000);
}

/**
 * Checks the page as it is now with axe (WCAG 2.0/2.1/2.2 A and AA) and saves a screenshot
 * named after the screen. Fails on any violation, listing each with the elements concerned.
 */
export async function checkScreen(
  page: Page,
  name: string,
  options: {
    /**
     * `network` (default): wait until the page's requests have settled. `awaited`: the test has
     * already waited for what the screen shows — for a page with a srcdoc frame, where Playwright's
     * network-idle signal never comes once the frame is attached after the first load (seen with
     * the mailbox's message frame: no request pending, both documents complete).
     */
    settled?: 'network' | 'awaited';
    /**
     * Frames left out of the check: content that is not the application's, shown in a sandbox
     * without scripts (an email's HTML), which axe cannot run in.
     */
    exclude?: string[];
  } = {},
): Promise<void> {
  if (options.settled !== 'awaited') await page.waitForLoadState('networkidle');
  await mkdir(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  const axe = new AxeBuilder({ page }).withTags(AXE_TAGS);
  for (const selector of options.exclude ?? []) axe.exclude(selector);
  const results = await axe.analyze();
  const violations = results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(' ')).join('\n    ')}`,
  );
  expect({ screen: name, violations }).toEqual({ screen: name, violations: [] });
}

/** Signs in through the sign-in form as a demo account. */
export async function signIn(page: Page, username: string, path = '/'): Promise<void> {
  await page.goto(path);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('signed-in-as').waitFor();
}

/** A second member of a demo team (the demo region has one caseworker per team), with the demo password. */
export async function addColleague(stack: ChisStack, username: string, team: string): Promise<void> {
  await createStaff(stack.db, {
    username,
    displayName: `${username} (test colleague)`,
    role: 'caseworker',
    teamCodes: [team],
    passwordHash: await hashPassword(DEMO_PASSWORD),
  });
}

/**
 * A baby born `daysAgo` days ago in a locality, notified as the maternity feed does; resolves
 * once new-birth-registration has opened the new birth visit task.
 */
export async function notifyBirth(
  stack: ChisStack,
  o: { locality: string; postcode: string; daysAgo: number; givenName: string; familyName: string },
): Promise<{ nhsNumber: string; taskId: string; dateOfBirth: string }> {
  const nhsNumber = stack.newNhsNumber();
  const dateOfBirth = new Date(stack.now().getTime() - o.daysAgo * 86_400_000).toISOString().slice(0, 10);
  const practice = await stack.practiceOf(o.locality);
  stack.pds.addPatient({ nhsNumber, givenName: o.givenName, familyName: o.familyName, dateOfBirth, sex: 'female' });
  const res = await stack.events.post('/api/events/birth-notifications').send({
    nhsNumber,
    givenName: o.givenName,
    familyName: o.familyName,
    dateOfBirth,
    timeOfBirth: '08:30',
    sex: 'female',
    mother: { name: `Mother ${o.familyName}` },
    address: { lines: ['1 Test Street'], postcode: o.postcode },
    gpPracticeCode: practice.odsCode,
    maternityUnit: 'City Hospital',
  });
  if (res.status !== 202) throw new Error(`birth notification: ${res.status} ${JSON.stringify(res.body)}`);
  const task = await stack.waitFor(
    async () => (await stack.tasksFor(nhsNumber)).find((t) => t.name === 'New birth visit'),
    `the new birth visit of ${nhsNumber}`,
    60_000,
  );
  return { nhsNumber, taskId: task.id, dateOfBirth };
}

/** The JavaScript files a page loads from now on (URL → body), for checking what a screen costs. */
export function recordScripts(page: Page): Map<string, Buffer> {
  const scripts = new Map<string, Buffer>();
  page.on('response', (response) => {
    if (response.request().resourceType() !== 'script') return;
    void response
      .body()
      .then((body) => scripts.set(response.url(), body))
      .catch(() => undefined);
  });
  return scripts;
}

/** Whether a script is the diagram editor's (bpmn-js builds on diagram-js, whose canvas is .djs-container). */
export const isDiagramCode = (body: Buffer): boolean => body.includes('djs-container');
