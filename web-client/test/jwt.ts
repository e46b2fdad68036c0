// An unsigned JWT with the given claims, for the tests that read tokens (the
// client reads claims, only the server verifies signatures).

export function jwt(claims: Record<string, unknown>): string {
  const b64 = (s: string) => btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return `${b64('{"alg":"HS256","typ":"JWT"}')}.${b64(unescape(encodeURIComponent(JSON.stringify(claims))))}.c2lnbmF0dXJl`;
}
