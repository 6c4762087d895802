export * from './secret-store';
export * from './keychain-unavailable';
export * from './keytar-store';
export * from './safe-storage-store';
export * from './memory-store';
export * from './environment-key';
export * from './select-store';
