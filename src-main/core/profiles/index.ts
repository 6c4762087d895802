export * from './profiles-file';
export * from './profile-manager';
export * from './open-profiles';
