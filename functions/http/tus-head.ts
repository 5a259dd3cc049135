import { tusRoute } from '../../shared/client-api/tus-route';

/** HEAD /files/:id — tus: the offset this node holds, where a resumed upload continues. */
export const { route, handler } = tusRoute('HEAD', '/files/:id');
