export * from './secured-http-api';
export * from './secured-http-api-props';
