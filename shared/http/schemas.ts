/** JSON schemas shared by several routes: bad input is a 400 before a handler runs. */
export const ID_PATTERN = '^[0-9a-z]{25}$';

export const idParams = {
  type: 'object',
  properties: { id: { type: 'string', pattern: ID_PATTERN } },
  required: ['id'],
} as const;

/** The read routes of a stored file (long-term, stream): its name, a signature, `localOnly`. */
export const fileReadSchema = {
  params: {
    type: 'object',
    properties: { fileName: { type: 'string', maxLength: 100 } },
    required: ['fileName'],
  },
  querystring: { type: 'object', properties: { localOnly: { type: 'boolean' }, signature: {} } },
} as const;
