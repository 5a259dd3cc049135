import { tusRoute } from '../../shared/client-api/tus-route';

/** POST /files/ — tus creation (the Audius SDK's `{endpoint}/files/`): metadata filename, filetype, template, previewStartSeconds. */
export const { route, handler } = tusRoute('POST', '/files/');
