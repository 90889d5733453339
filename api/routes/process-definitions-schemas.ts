import { z } from 'zod';

/** A process definition key: the BPMN process id, as the process_definitions table allows it. */
export const definitionKey = () =>
  z
    .string()
    .max(200, 'must be at most 200 characters')
    .regex(
      /^[A-Za-z_][A-Za-z0-9_.-]*$/,
      'must be a BPMN process id: a letter or _ followed by letters, digits, _ . or -',
    )
    .meta({ description: 'Process definition key (the BPMN process id)', examples: ['new-birth-registration'] });

/** A version number of a definition key. */
export const definitionVersion = () =>
  z.coerce
    .number({ error: 'must be a version number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(1_000_000, 'must be at most 1000000')
    .meta({ description: 'Version number (1 is the first deployment of the key)' });

export const definitionKeyParams = z.object({ key: definitionKey() }).strict();
export const definitionVersionParams = z.object({ key: definitionKey(), version: definitionVersion() }).strict();

/** JSON form of a deployment; the diagram may instead be the whole body as application/xml. */
export const deployBody = z
  .object({
    xml: z.string({ error: 'must be the BPMN 2.0 XML as a string' }).optional().meta({
      description:
        'The BPMN 2.0 XML. Required in a JSON body; alternatively send the diagram itself as application/xml (up to 2 MB).',
    }),
  })
  .strict();
