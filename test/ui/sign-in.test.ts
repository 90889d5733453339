import { DEMO_PASSWORD } from '../../db/seed';
import { checkScreen, describeInBrowser, signIn, uiStackPerFile, type UiStack } from './support/browser';

describeInBrowser('signing in and out in the browser', () => {
  let ui: UiStack;
  uiStackPerFile({ children: 20 }, (started) => (ui = started));

  test('a page opened signed out asks for sign-in, then shows that page; sign-out says so', async () => {
    const { page, problems } = await ui.newPage();
    await page.goto('/my-work');
    await page.waitForURL('**/sign-in?returnTo=%2Fmy-work');
    await page.getByRole('heading', { name: 'Sign in to CHIS Flow' }).waitFor();
    expect(await page.getByRole('link', { name: 'Sign in with NHS Care Identity' }).count()).toBe(0);
    await checkScreen(page, 'sign-in');

    await page.getByRole('button', { name: 'Sign in' }).click();
    const summary = page.getByRole('alert');
    await summary.getByText('Enter your username').waitFor();
    await summary.getByText('Enter your password').waitFor();
    expect(await page.locator('.nhsuk-error-summary').evaluate((el) => el === el.ownerDocument.activeElement)).toBe(
      true,
    );
    await checkScreen(page, 'sign-in-missing-fields');

    await page.getByLabel('Username').fill('cw.birmingham.hv');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await summary.getByText('The username or password is not correct').waitFor();

    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/my-work');
    expect(await page.getByTestId('signed-in-as').innerText()).toMatch(
      /Birmingham health visiting caseworker \(Caseworker\)/,
    );
    const nav = page.getByRole('navigation', { name: 'Menu' });
    expect(await nav.getByRole('link').allInnerTexts()).toEqual(['My work', 'Find a child', 'Concerns']);

    // A read still under way when the person signs out answers 401 afterwards: that is no expiry.
    let heldReads = 0;
    await page.route('**/api/tasks/queues/counts', async (route) => {
      heldReads++;
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await route.continue();
    });
    await page.getByRole('link', { name: 'My work' }).click();
    await page.getByRole('heading', { name: 'My work' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/sign-in?notice=signedOut');
    await page.getByTestId('sign-in-notice').getByText('You have signed out.').waitFor();
    await page.waitForTimeout(2500);
    expect(heldReads).toBeGreaterThan(0);
    expect(new URL(page.url()).search).toBe('?notice=signedOut');
    await page.getByTestId('sign-in-notice').getByText('You have signed out.').waitFor({ timeout: 1000 });
    // The session is gone on the server too: reloading a page asks for sign-in again.
    await page.goto('/children');
    await page.waitForURL('**/sign-in?returnTo=%2Fchildren');
    expect(problems).toEqual([]);
  });

  test('a session ended elsewhere sends the person to sign-in and back to where they were', async () => {
    const { page, problems } = await ui.newPage();
    await signIn(page, 'sl.coventry', '/alerts');
    await page.waitForURL('**/alerts');
    const me = await page.request.get('/api/auth/me');
    const { csrfToken } = (await me.json()) as { csrfToken: string };
    expect((await page.request.post('/api/auth/logout', { headers: { 'x-csrf-token': csrfToken } })).status()).toBe(
      204,
    );
    await page.reload();
    await page.waitForURL('**/sign-in?returnTo=%2Falerts');
    await page.getByLabel('Username').fill('sl.coventry');
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/alerts');
    expect(problems).toEqual([]);
  });

  test('too many failed sign-ins: the page says how long to wait', async () => {
    ui.stack.caseWork.auth.loginMaxFailures = 2;
    try {
      const { page } = await ui.newPage();
      await page.goto('/sign-in');
      for (let attempt = 0; attempt < 3; attempt++) {
        await page.getByLabel('Username').fill('someone.guessing');
        await page.getByLabel('Password').fill(`guess ${attempt}`);
        const answered = page.waitForResponse('**/api/auth/login');
        await page.getByRole('button', { name: 'Sign in' }).click();
        expect((await answered).status()).toBe(attempt < 2 ? 401 : 429);
      }
      await page
        .getByRole('alert')
        .getByText(/Too many failed sign-ins\. Wait 1[45] minutes before you try again\./)
        .waitFor();
      await checkScreen(page, 'sign-in-too-many-attempts');
    } finally {
      ui.stack.caseWork.auth.loginMaxFailures = 100;
    }
  });

  test('with NHS Care Identity configured, the sign-in page offers it first', async () => {
    ui.stack.caseWork.auth.oidc = {
      issuer: 'https://cis2.example.nhs.uk',
      clientId: 'chis-flow',
      clientSecret: 'secret',
      redirectUri: 'http://127.0.0.1/api/auth/oidc/callback',
    };
    try {
      const { page } = await ui.newPage();
      await page.goto('/sign-in');
      const cis2 = page.getByRole('link', { name: 'Sign in with NHS Care Identity' });
      await cis2.waitFor();
      expect(await cis2.getAttribute('href')).toBe('/api/auth/oidc/login');
      await page.getByRole('heading', { name: 'Or sign in with a local account' }).waitFor();
      await checkScreen(page, 'sign-in-with-cis2');
    } finally {
      delete ui.stack.caseWork.auth.oidc;
    }
  });

  test('after the idle time the person is warned, then signed out with a message', async () => {
    const { page, problems } = await ui.newPage();
    await page.clock.install();
    await signIn(page, 'cw.birmingham.hv', '/children');
    await page.clock.fastForward('28:30');
    const dialog = page.getByRole('dialog', { name: 'You will be signed out soon' });
    await dialog.waitFor();
    await checkScreen(page, 'idle-warning');
    await dialog.getByRole('button', { name: 'Stay signed in' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.clock.fastForward('31:00');
    await page.waitForURL('**/sign-in?notice=idle&returnTo=%2Fchildren');
    await page
      .getByTestId('sign-in-notice')
      .getByText(/You were signed out because you had not done anything for 30 minutes/)
      .waitFor();
    expect(problems).toEqual([]);
  });
});
