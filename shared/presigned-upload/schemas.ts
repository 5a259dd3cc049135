import { ID_PATTERN } from '../http/schemas';

/** Bad input is a 400 VALIDATION_FAILED before a slot handler runs (STYLE §8). */
export const openSlotSchema = {
  querystring: { type: 'object', properties: { signature: {} } },
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['template', 'file_name', 'size', 'sha256'],
    properties: {
      template: { type: 'string', maxLength: 40 },
      file_name: { type: 'string', minLength: 1, maxLength: 255 },
      size: { type: 'integer', minimum: 0 },
      sha256: { type: 'string', pattern: '^[0-9a-fA-F]{64}$' },
      preview_start_seconds: { type: 'number', minimum: 0 },
    },
  },
} as const;

export const completeSlotSchema = {
  params: {
    type: 'object',
    properties: { id: { type: 'string', pattern: ID_PATTERN } },
    required: ['id'],
  },
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['token'],
    properties: {
      token: { type: 'string', minLength: 1, maxLength: 100 },
      parts: {
        type: 'array',
        maxItems: 10_000,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['part_number', 'etag'],
          properties: {
            part_number: { type: 'integer', minimum: 1 },
            etag: { type: 'string', minLength: 1, maxLength: 200 },
          },
        },
      },
    },
  },
} as const;
