import type { TFunction } from 'i18next';
import type { Role } from '../api/session';

/** Roles that may change customers (the server's matrix, access/permissions.ts `customers.write`). */
const CUSTOMER_WRITERS: readonly Role[] = ['owner', 'admin', 'marketer', 'agent'];

/** Whether the signed-in person's role may edit customers, tag them and save views. */
export function canWriteCustomers(role: Role | null): boolean {
  return role !== null && CUSTOMER_WRITERS.includes(role);
}

/** What to call a customer: their name, else an identifier, else "Anonymous visitor". */
export function customerName(
  t: TFunction,
  c: {
    firstName: string | null;
    lastName: string | null;
    email: string | null;
    phone: string | null;
    userId: string | null;
  },
): string {
  const name = [c.firstName, c.lastName].filter(Boolean).join(' ').trim();
  return name || c.email || c.phone || c.userId || t('customers.anonymous');
}

/** Two letters for an avatar. */
export function initialsOf(name: string): string {
  return name
    .split(/[\s@._-]+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]?.toUpperCase() ?? '')
    .join('');
}
