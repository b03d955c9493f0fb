import { randomUUID } from 'node:crypto';

/** A new resource id: a uuid4 as 32 hex digits, the form the original service uses. */
export const newId = (): string => randomUUID().replace(/-/g, '');
