import { tusRoute } from '../../shared/client-api/tus-route';

/** DELETE /files/:id — tus termination: the partial upload is deleted. */
export const { route, handler } = tusRoute('DELETE', '/files/:id');
