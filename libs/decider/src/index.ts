export * from './decider';
export * from './command-handler';
export * from './cached-aggregate';
