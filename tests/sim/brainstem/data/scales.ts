// Dataset sizes per scale. The first project is public; a session and a subject are shared by the
// first two projects on top of the counts below. Some counts are exact multiples of 20 and 100 (the
// default and the maximum page size) so a pager must survive a last page that is exactly full.
import type { ScaleName } from '../../types';

export interface ScaleConfig {
  /** Own sessions per project (the project count is this list's length). */
  sessions: number[];
  subjectsPerProject: number;
  acquisitionsPerSession: [number, number];
  behaviorsPerSession: [number, number];
  manipulationsPerSession: [number, number];
  epochsPerSession: [number, number];
  collectionsPerProject: number;
  cohortsPerProject: number;
}

export const SCALES: Record<ScaleName, ScaleConfig> = {
  tiny: {
    sessions: [26, 25, 40],
    subjectsPerProject: 4,
    acquisitionsPerSession: [1, 3],
    behaviorsPerSession: [0, 2],
    manipulationsPerSession: [0, 2],
    epochsPerSession: [0, 3],
    collectionsPerProject: 2,
    cohortsPerProject: 1,
  },
  small: {
    sessions: [34, 47, 60, 29, 100],
    subjectsPerProject: 10,
    acquisitionsPerSession: [1, 3],
    behaviorsPerSession: [0, 2],
    manipulationsPerSession: [0, 2],
    epochsPerSession: [0, 3],
    collectionsPerProject: 3,
    cohortsPerProject: 2,
  },
  large: {
    sessions: [520, 380, 700, 455, 610, 300, 500, 640],
    subjectsPerProject: 40,
    acquisitionsPerSession: [1, 4],
    behaviorsPerSession: [0, 2],
    manipulationsPerSession: [0, 2],
    epochsPerSession: [0, 4],
    collectionsPerProject: 5,
    cohortsPerProject: 3,
  },
};
