/** The server's error body (README "HTTP API"): `{statusCode, code, error, message}`. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
  }
}

/** The error a non-2xx answer stands for, in the server's own words when it sent JSON. */
export function apiError(status: number, text: string): ApiError {
  try {
    const body = JSON.parse(text) as { code?: string; message?: string };
    if (body && typeof body.message === 'string') return new ApiError(body.message, status, body.code ?? '');
  } catch {
    // not JSON: a proxy's page, or nothing
  }
  return new ApiError(
    status ? `The server answered ${status}` : 'The server could not be reached',
    status,
    '',
  );
}

export async function getJson<T>(url: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: 'application/json' }, cache: 'no-store' });
  } catch {
    throw new ApiError('The node could not be reached', 0, '');
  }
  const text = await res.text();
  if (!res.ok) throw apiError(res.status, text);
  return JSON.parse(text) as T;
}
