import request from 'supertest';
import { CASE_WORK_ROUTES } from '../../api/routes';
import { startCaseWork, type CaseWorkHarness } from './support/case-work';

describe('GET /api/openapi.json', () => {
  let h: CaseWorkHarness;
  beforeAll(async () => {
    h = await startCaseWork('api_openapi');
  });
  afterAll(() => h.close());

  test('lists every declared route (and health) with the roles that may call it', async () => {
    const res = await request(h.app).get('/api/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const listed = Object.entries(res.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m} ${path}`),
    );
    const declared = CASE_WORK_ROUTES.map((r) => `${r.method} ${r.path.replace(/:([A-Za-z]+)/g, '{$1}')}`);
    expect(listed.sort()).toEqual([...declared, 'get /health', 'get /health/live', 'get /health/ready'].sort());
    expect(res.body.paths['/audit'].get['x-roles']).toEqual(['administrator']);
    expect(res.body.paths['/auth/login'].post.security).toEqual([]);
  });

  test('parameters and bodies come from the zod schemas the routes validate with', async () => {
    const { body } = await request(h.app).get('/api/openapi.json');
    const child = body.paths['/children/{nhsNumber}'].get;
    expect(child.parameters).toEqual([
      expect.objectContaining({
        name: 'nhsNumber',
        in: 'path',
        required: true,
        schema: expect.objectContaining({ type: 'string' }),
      }),
      // Break glass: every signed-in operation may carry a stated reason.
      expect.objectContaining({
        name: 'X-Access-Reason',
        in: 'header',
        required: false,
        schema: { type: 'string', minLength: 10, maxLength: 500 },
      }),
    ]);
    const search = body.paths['/children'].get.parameters.map((p: { name: string; required: boolean }) => [
      p.name,
      p.required,
    ]);
    expect(search).toEqual([
      ['nhsNumber', false],
      ['familyName', false],
      ['dateOfBirth', false],
      ['limit', false],
      ['X-Access-Reason', false],
    ]);
    expect(body.paths['/auth/login'].post.parameters.map((p: { name: string }) => p.name)).not.toContain(
      'X-Access-Reason',
    );
    const login = body.paths['/auth/login'].post.requestBody.content['application/json'].schema;
    expect(login).toMatchObject({ type: 'object', required: ['username', 'password'], additionalProperties: false });
    const close = body.paths['/concerns/{id}/close'].post.requestBody.content['application/json'].schema;
    expect(close.properties.outcome.enum).toContain('referred_to_childrens_social_care');
    expect(body.paths['/tasks/{id}/complete'].post.responses['400'].content['application/problem+json']).toBeDefined();
  });
});
