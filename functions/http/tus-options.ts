import { tusRoute } from '../../shared/client-api/tus-route';

/** OPTIONS /files/ — tus discovery and browser preflight (Tus-Version, Tus-Extension, Tus-Max-Size). */
export const { route, handler } = tusRoute('OPTIONS', '/files/');
