export * from './env';
export * from './service-process';
export * from './otlp-receiver';
export * from './private-postgres';
export * from './private-kafka';
export * from './kafka-topic';
export * from './reaper';
export * from './published-events';
