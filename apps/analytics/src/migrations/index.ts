import { Generations1765000000000 } from './1765000000000-generations';

/** The schema `analytics`'s migrations, oldest first: a new one is a file here and a line below. */
export const ANALYTICS_MIGRATIONS = [Generations1765000000000];
