// Value pools for BrainSTEM records: study vocabulary from the reference (§5.2) plus the awkward
// text a CSV writer must survive (commas, quotes, newlines, formula-like leading characters, emoji).

export const PUBLIC_PROJECT_NAME = 'Allen Institute: Visual Coding – Neuropixels';

export const PROJECT_NAMES = [
  'Hippocampal replay in rats',
  'Prefrontal ensembles — mice, cohort "B"',
  'Barrel cortex ⚡ optogenetics',
  'Sommeil & mémoire (Ωmega)',
  'Olfactory bulb, awake imaging',
  'Striatum 纹状体 dopamine',
  'Cerebellar timing; pilot',
  'Auditory cortex plasticity',
];

export const NOTES = [
  '',
  'acute probe recording',
  'Animal was calm, good signal on all shanks.',
  'Noise on ch 12–15, "likely" a loose ground',
  'line one\nline two',
  '=HYPERLINK("http://example.invalid","click")',
  '+5 µm drift, corrected offline',
  '-20 dB attenuation',
  '@lab: re-check the sync pulses',
  'a,b,"c"\r\nd',
  'Très bien 👍',
  'Ратка: второй день',
];

export const DESCRIPTIONS = [
  '',
  '<p>Recording day in the home cage.</p>',
  '<p>Head-fixed, <strong>awake</strong>; see protocol v2.</p>',
  '<p>Linear track, 20 laps &amp; rest.</p><ul><li>pre-sleep</li><li>post-sleep</li></ul>',
];

export const ACQUISITION_TYPES = [
  'ExtracellularEphys',
  'BehavioralTracking',
  'TwoPhotonMicroscopy',
  'FiberPhotometry',
  'Electroencephalography',
  'VideoTracking',
  'Miniscope',
  'IntracellularEphys',
] as const;

export const MANIPULATION_TYPES = ['OptogeneticStimulation', 'ElectricalStimulation', 'PharmacologicalInjection', 'AuditoryStimulation', 'VisualStimulation', 'OdorStimulation'] as const;

export const PROCEDURE_TYPES = ['HeadbarImplantation', 'ElectrodeImplantation', 'VirusInjection', 'FiberImplantation', 'Craniotomy', 'Perfusion'] as const;

export const SUBJECT_LOG_TYPES = ['Weighing', 'WaterRestriction', 'FoodRestriction', 'Note'] as const;

export const PROCEDURE_LOG_TYPES = ['Anesthesia', 'PostOperativeCare', 'Note'] as const;

export const REPOSITORIES = ['CRCNS', 'DANDI', 'Figshare', 'GitHub', 'Globus', 'Mendeley', 'Zenodo', 'Webshare', 'Other'] as const;

export const TAGS = ['pilot', 'ephys', 'good', 'excluded', 'sleep', 'läufer'];

export const SPECIES = [
  ['Rat', 'Rattus norvegicus'],
  ['Mouse', 'Mus musculus'],
  ['Macaque', 'Macaca mulatta'],
] as const;

export const STRAINS = [
  ['Long-Evans', 0],
  ['Sprague Dawley', 0],
  ['C57BL/6J', 1],
  ['Thy1-GCaMP6s', 1],
  ['Rhesus (colony A)', 2],
] as const;

export const BRAIN_REGIONS = [
  ['Hippocampus CA1', 'CA1'],
  ['Medial prefrontal cortex', 'mPFC'],
  ['Primary somatosensory cortex, barrel field', 'SSp-bfd'],
  ['Olfactory bulb', 'OB'],
  ['Dorsal striatum', 'STRd'],
  ['Primary visual cortex', 'VISp'],
] as const;

export const SETUPS = ['Rig 1 (linear track)', 'Rig 2 — head-fixed', 'Home cage ⌂'];

export const ASSAYS = ['Linear track', 'Open field', 'Go/No-go', 'Sleep box'];

export const EQUIPMENT = [
  ['Neuropixels 1.0 probe', 'Probe'],
  ['Cambridge NeuroTech H2', 'Probe'],
  ['Doric fiber 400 µm', 'OpticalFiber'],
  ['Basler acA1300', 'Camera'],
  ['Thorlabs 473 nm laser', 'LightSource'],
  ['Intan RHD 64', 'Amplifier'],
] as const;

export const DATA_STORAGES = [
  { name: 'Lab NAS', location: 'Building 3, room 12', is_public: false, protocol: 'SMB/CIFS', path: '\\\\nas.lab.example\\data' },
  { name: 'DANDI archive', location: 'dandiarchive.org', is_public: true, protocol: 'HTTPS/Web', path: 'https://dandiarchive.org/dandiset/000123' },
  { name: 'Local harddrive', location: 'Recording PC', is_public: false, protocol: 'Local Storage', path: '/home/lab/recordings' },
];

/** Images the simulator hosts, by base name; pixel sizes come from the seed. */
export const IMAGE_NAMES = ['tracking', 'probe-layout', 'histology', 'field-of-view', 'arena', 'rig'];
