export * from './environments';
export * from './key-format';
export * from './profiles-file';
export * from './profile-manager';
export * from './validate-key';
export * from './open-profiles';
