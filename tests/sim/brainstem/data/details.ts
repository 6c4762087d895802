// Type-specific `details` JSON (reference §5.2). Two schema versions are mixed on purpose: in 0.0.0 a
// quantity is a bare number (`"sr": 30000`), in 1.1.0 it is `{"value": 30000, "unit": "Hz"}`.
// Manipulation details are an array of objects.
import type { Rng } from '../../prng';
import type { JsonRecord } from '../../types';

export type SchemaVersion = '0.0.0' | '1.1.0';

const quantity = (v: SchemaVersion, value: number, unit: string): unknown => (v === '0.0.0' ? value : { value, unit });

export function acquisitionDetails(rng: Rng, type: string, v: SchemaVersion, fileStem: string): JsonRecord {
  switch (type) {
    case 'ExtracellularEphys':
    case 'IntracellularEphys': {
      const nChannels = rng.pick([32, 64, 128, 384]);
      const sr = rng.pick([20000, 30000]);
      return {
        fileName: `${fileStem}.dat`,
        format: 'binary',
        type: 'int16',
        nChannels,
        sr: quantity(v, sr, 'Hz'),
        nSamples: sr * rng.int(600, 7200),
        electrodeGroups: [
          { channels: [0, 2, 4], label: 'anterior' },
          { channels: [1, 3, 5], label: 'posterior' },
        ],
      };
    }
    case 'BehavioralTracking':
    case 'VideoTracking':
      return {
        fileName: `${fileStem}.mp4`,
        framerate: quantity(v, rng.pick([30, 60, 120]), 'Hz'),
        resolution: { width: 1280, height: 1024 },
        bodyParts: ['nose', 'left ear', 'tail base'],
      };
    case 'TwoPhotonMicroscopy':
    case 'Miniscope':
      return {
        fileName: `${fileStem}.tif`,
        sr: quantity(v, rng.pick([15, 30]), 'Hz'),
        wavelength: quantity(v, 920, 'nm'),
        fieldOfView: { width: quantity(v, 512, 'µm'), height: quantity(v, 512, 'µm') },
        indicator: rng.pick(['GCaMP6s', 'GCaMP8m', 'jRGECO1a']),
      };
    default:
      return {
        fileName: `${fileStem}.csv`,
        sr: quantity(v, rng.pick([100, 250, 1000]), 'Hz'),
        nChannels: rng.int(1, 8),
      };
  }
}

export function manipulationDetails(rng: Rng, type: string, v: SchemaVersion): JsonRecord[] {
  const n = rng.int(1, 3);
  return Array.from({ length: n }, (_, i) => {
    const common = { epoch: i + 1, duration: quantity(v, rng.int(1, 30) * 100, 'ms') };
    switch (type) {
      case 'OptogeneticStimulation':
        return { ...common, wavelength: quantity(v, 473, 'nm'), power: quantity(v, rng.int(1, 20), 'mW'), frequency: quantity(v, rng.pick([10, 20, 40]), 'Hz') };
      case 'PharmacologicalInjection':
        return { ...common, drug: rng.pick(['muscimol', 'saline', 'CNO']), dose: quantity(v, rng.int(1, 10) / 10, 'mg/kg') };
      default:
        return { ...common, intensity: quantity(v, rng.int(1, 100), '%') };
    }
  });
}

export function procedureDetails(rng: Rng, type: string, v: SchemaVersion): JsonRecord {
  if (type === 'VirusInjection') return { virus: rng.pick(['AAV1-hSyn-GCaMP6s', 'AAV5-CaMKII-ChR2']), volume: quantity(v, rng.int(100, 500), 'nL') };
  if (type === 'Perfusion') return { fixative: '4% PFA' };
  return { anesthesia: rng.pick(['isoflurane', 'ketamine/xylazine']), duration: quantity(v, rng.int(30, 180), 'min') };
}

export function subjectLogDetails(rng: Rng, type: string, v: SchemaVersion): JsonRecord {
  if (type === 'Weighing') return { weight: quantity(v, Math.round(rng.range(18, 450) * 10) / 10, 'g') };
  if (type === 'WaterRestriction') return { volume: quantity(v, rng.int(5, 15) / 10, 'mL') };
  if (type === 'FoodRestriction') return { amount: quantity(v, rng.int(20, 40) / 10, 'g') };
  return {};
}
