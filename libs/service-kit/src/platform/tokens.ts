/** Injection tokens of the ports every service gets from the platform module. */
export const EVENT_STORE = Symbol('EVENT_STORE');
export const READ_MODEL_DB = Symbol('READ_MODEL_DB');
export const PLATFORM_RUNTIME = Symbol('PLATFORM_RUNTIME');
