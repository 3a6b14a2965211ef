import type { ApiErrorResponse } from '@callgate/protocol';

/** Small REST client for one gateway, as a browser without cookies jar would call it. */
export class Rest {
  constructor(readonly baseUrl: string) {}

  post(path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return this.send('POST', path, body, headers);
  }

  get(path: string, token?: string): Promise<Response> {
    return this.send('GET', path, undefined, token === undefined ? {} : bearer(token));
  }

  send(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    return fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? null : JSON.stringify(body),
    });
  }
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** The `name=value` part of one Set-Cookie header of `response`. */
export function cookieNamed(response: Response, name: string): string | undefined {
  return response.headers
    .getSetCookie()
    .map((header) => header.split(';')[0]!)
    .find((pair) => pair.startsWith(`${name}=`));
}

export async function errorOf(response: Response): Promise<ApiErrorResponse['error']> {
  return ((await response.json()) as ApiErrorResponse).error;
}
