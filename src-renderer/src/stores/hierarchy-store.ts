// Normalized hierarchy: experiments → rooms → participants, plus per-participant data counts.
import { createStore } from 'zustand/vanilla';
import type { ErrorInfo } from '../../../src-shared/errors';
import type { Experiment, ItemCounts, Participant, Room } from '../../../src-shared/model';

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';
export interface ListStatus { status: LoadStatus; error?: ErrorInfo; warnings: string[] }

export interface HierarchyState {
  experimentsById: Record<string, Experiment>;
  experimentIds: string[];
  experimentsStatus: ListStatus;
  roomsById: Record<string, Room>; // key: roomKey(experimentId, roomId)
  roomIdsByExperiment: Record<string, string[]>;
  roomsStatus: Record<string, ListStatus>; // by experimentId
  participantsByKey: Record<string, Participant>; // key: participantKey(roomId, participantId)
  participantIdsByRoom: Record<string, string[]>; // by roomId
  participantsStatus: Record<string, ListStatus>; // by roomId
  countsByParticipant: Record<string, ItemCounts | 'loading' | 'error'>; // by participantKey
  /** Every participant of a study (for names where data shows ids), by experimentId. */
  studyParticipants: Record<string, Record<string, Participant>>;
}

export const roomKey = (experimentId: string, roomId: string) => `${experimentId}\u0000${roomId}`;
export const participantKey = (roomId: string, participantId: string) => `${roomId}\u0000${participantId}`;

export const IDLE: ListStatus = { status: 'idle', warnings: [] };

export const createHierarchyStore = () =>
  createStore<HierarchyState>()(() => ({
    experimentsById: {},
    experimentIds: [],
    experimentsStatus: IDLE,
    roomsById: {},
    roomIdsByExperiment: {},
    roomsStatus: {},
    participantsByKey: {},
    participantIdsByRoom: {},
    participantsStatus: {},
    countsByParticipant: {},
    studyParticipants: {},
  }));

export type HierarchyStore = ReturnType<typeof createHierarchyStore>;
