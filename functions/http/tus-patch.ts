import { tusRoute } from '../../shared/client-api/tus-route';

/** PATCH /files/:id — tus: append bytes at Upload-Offset; the last chunk hands the file to the pipeline. */
export const { route, handler } = tusRoute('PATCH', '/files/:id');
