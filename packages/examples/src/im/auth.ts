// The IM example's login check (the article's checkToken): numeric user ids, one shared demo password.

/** The password every demo user has. A real application checks its user store here. */
export const DEMO_PASSWORD = 'im-demo';

/** The login service's hook: `{userid, password}` -> the uid, or undefined to refuse. */
export function authenticate(credentials: unknown): string | undefined {
  const c = credentials as { userid?: unknown; password?: unknown } | null;
  const id = String(c?.userid ?? '');
  if (!/^[1-9]\d{0,11}$/.test(id) || c?.password !== DEMO_PASSWORD) return undefined;
  return id;
}
