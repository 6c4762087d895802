// Why a keychain (or the encrypted-file fallback) cannot be used, as a typed reason
// with a plain-words message and a fix. Raw library messages are kept only as `detail`.
import { redactSecrets, StudyError } from '../../../src-shared/errors';

export type KeychainFailureReason =
  | 'library-missing' // libsecret-1.so.0 (or keytar itself) cannot be loaded
  | 'no-dbus' // no session bus
  | 'no-secret-service' // a bus, but nothing provides org.freedesktop.secrets
  | 'no-default-keyring' // a Secret Service without a default ("login") keyring
  | 'transport-disabled' // DBUS_SESSION_BUS_ADDRESS=disabled:
  | 'locked' // the keyring is locked and could not be unlocked (e.g. it was created with another password)
  | 'prompt-cancelled' // the unlock prompt was dismissed
  | 'timeout' // no answer in time (typically a locked keyring waiting on a prompt)
  | 'encryption-unavailable' // safeStorage cannot encrypt
  | 'weak-backend' // safeStorage would use Linux's hard-coded basic_text password
  | 'unknown';

const EXPLANATIONS: Record<KeychainFailureReason, { message: string; fix: string }> = {
  'library-missing': {
    message: 'The OS keychain library (libsecret) is not installed, so the key cannot be stored in the keychain.',
    fix: 'Install libsecret (e.g. `sudo apt install libsecret-1-0`) and a keyring such as GNOME Keyring, or set HYPERSTUDY_API_KEY (BrainSTEM: BRAINSTEM_TOKEN) for this session.',
  },
  'no-dbus': {
    message: 'No desktop session bus (D-Bus) is running, so the OS keychain cannot be reached.',
    fix: 'Run inside a desktop session, or start one with `dbus-run-session`, or set HYPERSTUDY_API_KEY (BrainSTEM: BRAINSTEM_TOKEN) for this session.',
  },
  'no-secret-service': {
    message: 'No keyring service (Secret Service) is running, so the key cannot be stored in the OS keychain.',
    fix: 'Install and start a keyring such as GNOME Keyring or KWallet, or set HYPERSTUDY_API_KEY (BrainSTEM: BRAINSTEM_TOKEN) for this session.',
  },
  'no-default-keyring': {
    message: 'The keyring service has no default keyring to store the key in.',
    fix: 'Create or unlock a default ("login") keyring, e.g. with `gnome-keyring-daemon --unlock`, or set HYPERSTUDY_API_KEY (BrainSTEM: BRAINSTEM_TOKEN) for this session.',
  },
  'transport-disabled': {
    message: 'D-Bus is disabled in this environment (DBUS_SESSION_BUS_ADDRESS=disabled:), so the OS keychain cannot be reached.',
    fix: 'Unset DBUS_SESSION_BUS_ADDRESS or run inside a desktop session, or set HYPERSTUDY_API_KEY (BrainSTEM: BRAINSTEM_TOKEN) for this session.',
  },
  locked: {
    message: 'Keyring locked: your keyring could not be unlocked, so the key cannot be stored in it (it may have been created with a different password than your login password).',
    fix: 'Unlock the keyring (e.g. in Passwords and Keys / Seahorse, or change its password to your login password), then try again; or set HYPERSTUDY_API_KEY (BrainSTEM: BRAINSTEM_TOKEN) for this session.',
  },
  'prompt-cancelled': {
    message: 'The keychain unlock prompt was cancelled, so the key could not be read or stored.',
    fix: 'Try again and unlock the keychain when asked.',
  },
  timeout: {
    message: 'The OS keychain did not answer in time (it may be locked and waiting for a password prompt).',
    fix: 'Unlock your keychain and try again.',
  },
  'encryption-unavailable': {
    message: 'The system cannot encrypt the key on this machine.',
    fix: 'Run inside a desktop session with a keyring, or set HYPERSTUDY_API_KEY (BrainSTEM: BRAINSTEM_TOKEN) for this session.',
  },
  'weak-backend': {
    message: 'Only a weak, hard-coded encryption password is available here (no keyring found), so the key is not written to disk.',
    fix: 'Install and unlock a keyring such as GNOME Keyring or KWallet, or set HYPERSTUDY_API_KEY (BrainSTEM: BRAINSTEM_TOKEN) for this session.',
  },
  unknown: {
    message: 'The OS keychain reported an unexpected error.',
    fix: 'Check that your keychain is unlocked and try again, or set HYPERSTUDY_API_KEY (BrainSTEM: BRAINSTEM_TOKEN) for this session.',
  },
};

export class KeychainUnavailable extends StudyError {
  readonly reason: KeychainFailureReason;
  constructor(reason: KeychainFailureReason, detail?: string, options?: { cause?: unknown }) {
    const { message, fix } = EXPLANATIONS[reason];
    super(
      { code: 'KEYCHAIN_UNAVAILABLE', message, fix, details: { reason, ...(detail ? { detail: redactSecrets(detail) } : {}) } },
      options,
    );
    this.name = 'KeychainUnavailable';
    this.reason = reason;
  }
}

export function isKeychainUnavailable(e: unknown): e is KeychainUnavailable {
  return e instanceof KeychainUnavailable;
}

/** Recognises the known keytar / libsecret / macOS failures by their messages. */
export function classifyKeychainError(e: unknown): KeychainFailureReason {
  if (e instanceof KeychainUnavailable) return e.reason;
  const text = e instanceof Error ? `${e.message} ${(e as { code?: string }).code ?? ''}` : String(e);
  if (/libsecret-1\.so|cannot open shared object file|Cannot find (module|package) ['"]?keytar|keytar\.node|ERR_DLOPEN_FAILED|MODULE_NOT_FOUND/i.test(text)) return 'library-missing';
  if (/unsupported transport ['"]?disabled/i.test(text)) return 'transport-disabled';
  if (/Cannot autolaunch D-Bus|DBUS_SESSION_BUS_ADDRESS|Could not connect: (No such file|Connection refused)|Failed to connect to socket/i.test(text)) return 'no-dbus';
  if (/org\.freedesktop\.secrets was not provided|ServiceUnknown|not provided by any \.service files/i.test(text)) return 'no-secret-service';
  if (/Object does not exist at path .*\/org\/freedesktop\/secrets\/(collection|aliases)/i.test(text)) return 'no-default-keyring';
  if (/cancel+ed|dismissed|User canceled|errSecUserCanceled|-128\b/i.test(text)) return 'prompt-cancelled';
  // libsecret: "Cannot create an item in a locked collection", "Cannot get secret of a locked object";
  // macOS: errSecInteractionNotAllowed (-25308) when the keychain is locked and may not prompt.
  if (/\blocked (collection|object|item|keyring)|collection is locked|keyring is locked|errSecInteractionNotAllowed|-25308\b|interaction is not allowed/i.test(text)) return 'locked';
  if (/timed? ?out/i.test(text)) return 'timeout';
  return 'unknown';
}

export function toKeychainUnavailable(e: unknown): KeychainUnavailable {
  if (e instanceof KeychainUnavailable) return e;
  const detail = e instanceof Error ? e.message : String(e);
  return new KeychainUnavailable(classifyKeychainError(e), detail, { cause: e });
}
