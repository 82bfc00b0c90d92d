export const ROLES = ['customer', 'organizer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Roles beyond `customer`, which everyone has; on AWS each is a Cognito group. */
export const GROUP_ROLES = ['organizer', 'admin'] as const satisfies readonly Role[];

/** Who is calling. `null` userId means an anonymous caller. */
export interface Principal {
  userId: string | null;
  email: string | null;
  /** The profile's name, where the authorizer had it. */
  name?: string;
  roles: readonly Role[];
  /** The access token the caller presented, for logout. */
  token?: { id: string; expiresAt: number };
}

export const anonymous: Principal = { userId: null, email: null, roles: [] };

export const hasRole = (principal: Principal, role: Role): boolean =>
  principal.roles.includes(role);

export const isAdmin = (principal: Principal): boolean => hasRole(principal, 'admin');
