// Sizes of the synthetic datasets. Record counts are per room (varied ±15% by seed, except tiny,
// which is exact so unit tests can reason about page counts).
import type { ScaleName, StreamType } from '../types';

export type LazyStreamType = Exclude<StreamType, 'recordings'>;

export interface ScaleConfig {
  /** Room counts of the own experiments, then of the shared (other-org) experiments. */
  ownRooms: number[];
  sharedRooms: number[];
  participantsPerRoom: [number, number];
  perRoom: Record<LazyStreamType, number>;
  /** Exact per-room overrides: experiment index → stream type → count (tiny). */
  exact: boolean;
  /** Recordings per room, cycling over the rooms in order. */
  recordingsPattern: number[];
  recordingBytes: [number, number];
  roomMinutes: number;
}

const KB = 1024;
const MB = 1024 * KB;

export const SCALES: Record<ScaleName, ScaleConfig> = {
  tiny: {
    ownRooms: [2, 1],
    sharedRooms: [1],
    participantsPerRoom: [2, 3],
    perRoom: {
      events: 1250,
      chat: 24,
      videochat: 8,
      'ratings/continuous': 300,
      'ratings/sparse': 10,
      sync: 40,
      components: 30,
      eyetracking: 120,
    },
    exact: true,
    recordingsPattern: [1, 1, 1, 0],
    recordingBytes: [64 * KB, 256 * KB],
    roomMinutes: 30,
  },
  small: {
    ownRooms: [5, 4, 2],
    sharedRooms: [1],
    participantsPerRoom: [3, 4],
    perRoom: {
      events: 1500,
      chat: 60,
      videochat: 20,
      'ratings/continuous': 2000,
      'ratings/sparse': 30,
      sync: 300,
      components: 100,
      eyetracking: 800,
    },
    exact: false,
    recordingsPattern: [2, 1, 0],
    recordingBytes: [1 * MB, 4 * MB],
    roomMinutes: 40,
  },
  large: {
    ownRooms: [60, 50, 50, 40],
    sharedRooms: [20],
    participantsPerRoom: [3, 5],
    perRoom: {
      events: 2100,
      chat: 80,
      videochat: 30,
      'ratings/continuous': 1500,
      'ratings/sparse': 40,
      sync: 250,
      components: 120,
      eyetracking: 600,
    },
    exact: false,
    recordingsPattern: [1, 0, 0],
    recordingBytes: [2 * MB, 24 * MB],
    roomMinutes: 45,
  },
};
