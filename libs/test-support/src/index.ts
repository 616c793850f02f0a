export * from './env';
export * from './service-process';
export * from './otlp-receiver';
