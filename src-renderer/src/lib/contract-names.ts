// Contract names older than plug-in sources, which carry the first source's words yet mean any
// source: "the host answered, but not as this source's API would" (docs/ARCHITECTURE.md, Errors),
// and the number of people in a code map. The renderer spells them only here.
import type { ErrorCode } from '../../../src-shared/errors';
import type { CodeMapFile, ConnectionState, KeyValidationOutcome } from '../../../src-shared/model';

export const NOT_THIS_API_CODE: ErrorCode = 'NOT_HYPERSTUDY';
export const NOT_THIS_API_STATE: ConnectionState = 'not-hyperstudy';
export const NOT_THIS_API_OUTCOME: KeyValidationOutcome = 'not-hyperstudy';

/** How many people a code map gives codes to. */
export const codeMapPeople = (map: CodeMapFile): number => map.participants;
