import { z } from 'zod';
import { listLocalities } from '../../records/localities';
import { defineRoute, ok } from '../route-definition';
import { localitySchema } from './response-schemas';

export const localityRoutes = [
  defineRoute({
    method: 'get',
    path: '/localities',
    tag: 'reference',
    summary: 'List the localities of the region',
    access: 'signedIn',
    schemas: {},
    responses: { 200: 'Every locality with the code its queue and filters use, by name' },
    responseSchemas: { 200: z.object({ localities: z.array(localitySchema) }) },
    handler: async (_input, ctx) =>
      ok({ localities: (await listLocalities(ctx.deps.db)).map((l) => ({ id: l.id, code: l.code, name: l.name })) }),
  }),
];
