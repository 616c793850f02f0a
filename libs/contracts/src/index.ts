export * from './metadata';
export * from './cloudevents';
export * from './topics';
export * from './leads/lead-events';
export * from './lifecycle/lifecycle-events';
export * from './pipeline/pipeline-events';
export * from './ids';
