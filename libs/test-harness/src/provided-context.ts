// Types what global-setup provides, so `inject('plexusMongoUri')` is a string in tests.
declare module 'vitest' {
  export interface ProvidedContext {
    plexusMongoUri: string;
    plexusRedisUrl: string;
    plexusKinesisEndpoint: string;
  }
}

export {};
