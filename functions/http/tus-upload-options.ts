import { tusRoute } from '../../shared/client-api/tus-route';

/** OPTIONS /files/:id — browser preflight for PATCH, HEAD and DELETE. */
export const { route, handler } = tusRoute('OPTIONS', '/files/:id');
