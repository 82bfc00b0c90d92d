export const ROLES = ['customer', 'organizer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling. `null` userId means an anonymous caller. */
export interface Principal {
  userId: string | null;
  email: string | null;
  roles: readonly Role[];
}

export const anonymous: Principal = { userId: null, email: null, roles: [] };

export const hasRole = (principal: Principal, role: Role): boolean =>
  principal.roles.includes(role);

export const isAdmin = (principal: Principal): boolean => hasRole(principal, 'admin');
