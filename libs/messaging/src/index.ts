export * from './message-bus.port';
export * from './log/json-logger';
export * from './tracing/trace-context';
export * from './kafka/kafka-bus';
export * from './relay/relay-records';
export * from './relay/event-relay';
export * from './consumer/exactly-once-consumer';
