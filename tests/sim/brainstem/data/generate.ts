// Builds the whole BrainSTEM dataset from (scale, seed): reference data, projects, subjects with
// procedures and logs, sessions with acquisitions, behaviors, manipulations and epochs, collections
// and cohorts. The same functions append records later (incremental sync tests).
import { createHash } from 'node:crypto';
import { Rng, hash32 } from '../../prng';
import type { ScaleName } from '../../types';
import { APPENDABLE, type AppendableModel, type ImageInfo, type SimUser } from '../types';
import { acquisitionDetails, manipulationDetails, procedureDetails, subjectLogDetails, type SchemaVersion } from './details';
import { drawPng } from './png';
import { SCALES } from './scales';
import { Store, type Row } from './store';
import * as V from './vocabulary';

const DAY = 86_400_000;
const BASE_MS = Date.UTC(2024, 0, 8, 9, 0, 0);

/** Django REST framework's datetime format with USE_TZ in UTC. */
export const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const isoDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

interface ProjectState {
  index: number;
  row: Row;
  slug: string;
  sessions: number;
  subjectIds: string[];
  subjects: number;
}

export class World {
  readonly store = new Store();
  readonly users: SimUser[];
  readonly images: ImageInfo[];
  private readonly counters = new Map<string, number>();
  private readonly projects: ProjectState[] = [];
  private readonly ref: Record<'strain' | 'setup' | 'behavioralassay' | 'equipment' | 'brainregion' | 'datastorage', string[]> = {
    strain: [],
    setup: [],
    behavioralassay: [],
    equipment: [],
    brainregion: [],
    datastorage: [],
  };

  constructor(
    readonly scale: ScaleName,
    readonly seed: number,
    private readonly imagesOrigin: string,
  ) {
    this.images = V.IMAGE_NAMES.map((name, i) => {
      const rng = Rng.of(seed, 'image', name);
      const width = rng.int(48, 160);
      const height = rng.int(32, 120);
      const bytes = drawPng(width, height, hash32(seed, 'png', i));
      return { name: `${name}.png`, url: `${imagesOrigin}/images/${name}.png`, bytes, sha256: createHash('sha256').update(bytes).digest('hex'), width, height };
    });
    const cfg = SCALES[scale];
    this.referenceData();
    const slugs = ['vc-np', 'hpc', 'pfc', 'bc-opto', 'sleep', 'ob', 'str', 'cb', 'ac'];
    for (let i = 0; i < cfg.sessions.length; i++) {
      const isPublic = i === 0;
      const row = this.insert('project', {
        name: isPublic ? V.PUBLIC_PROJECT_NAME : V.PROJECT_NAMES[(i - 1) % V.PROJECT_NAMES.length],
        description: V.DESCRIPTIONS[i % V.DESCRIPTIONS.length],
        publications: [],
        extra_fields: i % 2 === 0 ? { temperature: 'ambient' } : {},
        is_public: isPublic,
        tags: i % 3 === 1 ? ['ephys'] : [],
        links: { cohorts: 'cohorts/', collections: 'collections/', sessions: 'sessions/', subjects: 'subjects/' },
        users: {},
        groups: i % 2 === 1 ? { 'Lab members': { can_change: true, is_manager: false, is_owner: false } } : {},
      });
      this.projects.push({ index: i, row, slug: slugs[i % slugs.length] + (i >= slugs.length ? `${i}` : ''), sessions: 0, subjectIds: [], subjects: 0 });
    }
    const all = this.projects.map((p) => p.row.id);
    const last = this.projects[this.projects.length - 1].row.id;
    this.users = [
      { id: 1, email: 'researcher@brainstem.test', name: 'Rosalind Researcher', projectIds: all },
      { id: 2, email: 'collaborator@brainstem.test', name: 'Kofi Collaborator', projectIds: [all[0], last] },
    ];
    for (const p of this.projects) {
      p.row.users = Object.fromEntries(
        this.users.filter((u) => u.projectIds.includes(p.row.id)).map((u) => [u.email, { can_change: u.id === 1, is_manager: u.id === 1, is_owner: u.id === 1 && !p.row.is_public }]),
      );
    }
    const [first, second] = this.projects;
    for (const p of this.projects) {
      for (let k = 0; k < cfg.subjectsPerProject; k++) this.subject(p, []);
      if (p === first) this.subject(first, [second.row.id]); // shared by the first two projects
    }
    for (const p of this.projects) {
      const own = cfg.sessions[p.index];
      for (let k = 0; k < own; k++) {
        this.session(p, []);
        if (p === first && k === Math.floor(own / 2)) this.session(first, [second.row.id]); // shared session
      }
    }
    for (const p of this.projects) {
      const sessionIds = this.store.relatedIds('project', p.row, 'sessions');
      for (let k = 0; k < cfg.collectionsPerProject; k++) {
        this.insert('collection', {
          name: `${p.slug} collection ${k + 1}`,
          description: k === 0 ? '<p>Sessions with good units</p>' : '',
          project: p.row.id,
          sessions: sessionIds.filter((_, j) => j % (cfg.collectionsPerProject + 1) === k),
          tags: [],
        });
      }
      for (let k = 0; k < cfg.cohortsPerProject; k++) {
        this.insert('cohort', {
          name: `${p.slug} cohort ${String.fromCharCode(65 + k)}`,
          description: '',
          project: p.row.id,
          subjects: p.subjectIds.filter((_, j) => j % cfg.cohortsPerProject === k),
          tags: k === 0 ? ['pilot'] : [],
        });
      }
    }
  }

  /** A lowercase v4 UUID, deterministic from the seed, the model and its running number. */
  private nextId(model: string): string {
    const n = this.counters.get(model) ?? 0;
    this.counters.set(model, n + 1);
    const rng = Rng.of(this.seed, 'uuid', model, n);
    const word = () => Math.floor(rng.float() * 0x100000000).toString(16).padStart(8, '0');
    const [a, b, c, d] = [word(), word(), word(), word()];
    const variant = '89ab'[parseInt(c[0], 16) & 3];
    return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${d}`;
  }

  private insert(model: string, fields: Record<string, unknown>): Row {
    return this.store.insert(model, { id: this.nextId(model), ...fields });
  }

  private rng(model: string, ...parts: Array<string | number>): Rng {
    return Rng.of(this.seed, model, this.counters.get(model) ?? 0, ...parts);
  }

  private referenceData(): void {
    const species = V.SPECIES.map(([name, scientific_name]) => this.insert('species', { name, scientific_name }).id);
    this.ref.strain = V.STRAINS.map(([name, s]) => this.insert('strain', { name, species: species[s] }).id);
    this.ref.brainregion = V.BRAIN_REGIONS.map(([name, acronym]) => this.insert('brainregion', { name, acronym }).id);
    this.ref.setup = V.SETUPS.map((name, i) => this.insert('setup', { name, description: '', location: `Room ${101 + i}` }).id);
    this.ref.behavioralassay = V.ASSAYS.map((name) => this.insert('behavioralassay', { name, description: `${name} task` }).id);
    this.ref.equipment = V.EQUIPMENT.map(([name, type], i) => this.insert('equipment', { name, type, description: '', setup: this.ref.setup[i % this.ref.setup.length] }).id);
    this.ref.datastorage = V.DATA_STORAGES.map(
      (d) =>
        this.insert('datastorage', {
          name: d.name,
          location: d.location,
          description: '',
          is_public: d.is_public,
          data_organization: [{ elements: 'Projects' }, { elements: 'Sessions' }],
          data_protocols: [{ protocol: d.protocol, path: d.path, is_public: d.is_public }],
        }).id,
    );
  }

  private version(rng: Rng): SchemaVersion {
    return rng.bool() ? '0.0.0' : '1.1.0';
  }

  private subject(p: ProjectState, alsoIn: string[]): Row {
    const rng = this.rng('subject');
    const n = ++p.subjects;
    const strain = rng.pick(this.ref.strain);
    const dead = rng.bool(0.15);
    const birth = BASE_MS - rng.int(60, 400) * DAY;
    const name = `${p.slug.toUpperCase()}-${rng.pick(['R', 'M', 'Ä'])}${String(n).padStart(2, '0')}${alsoIn.length ? '-shared' : ''}`;
    const row = this.insert('subject', {
      name,
      description: rng.pick(V.DESCRIPTIONS),
      projects: [p.row.id, ...alsoIn],
      strain,
      sex: rng.pick(['M', 'F', 'U']),
      genetic_line: rng.pick(['', 'wild type', 'transgenic']),
      genotype: rng.pick(['', 'WT', 'Cre+/-']),
      subject_identifier: `ID-${hash32(this.seed, name).toString(16)}`,
      supplier: null,
      breeding: null,
      birth_date: isoDate(birth),
      death_date: dead ? isoDate(BASE_MS + rng.int(30, 300) * DAY) : null,
      status: dead ? 'Deceased' : rng.pick(['Alive', 'Alive', 'In experiment']),
      extra_fields: rng.bool(0.3) ? { cage: rng.int(1, 40), ear_tag: `L${rng.int(1, 9)}` } : {},
      licenses: [],
      name_used_in_storage: name.toLowerCase(),
      tags: rng.bool(0.3) ? [rng.pick(V.TAGS)] : [],
      links: { procedures: 'procedures/', subjectlogs: 'subjectlogs/' },
    });
    p.subjectIds.push(row.id);
    for (let k = rng.int(1, 3); k > 0; k--) this.procedure(row);
    for (let k = rng.int(1, 4); k > 0; k--) this.subjectLog(row);
    return row;
  }

  private procedure(subject: Row): Row {
    const rng = this.rng('procedure');
    const type = rng.pick(V.PROCEDURE_TYPES);
    const v = this.version(rng);
    const at = BASE_MS + rng.int(-60, 200) * DAY + rng.int(0, 8) * 3_600_000;
    const stereotaxic = type !== 'Perfusion';
    const row = this.insert('procedure', {
      type,
      notes: rng.pick(V.NOTES),
      subject: subject.id,
      date_time: isoSeconds(at),
      consumablestock: null,
      equipment: rng.bool(0.5) ? [rng.pick(this.ref.equipment)] : [],
      brain_region: stereotaxic ? rng.pick(this.ref.brainregion) : null,
      licenses: [],
      details: procedureDetails(rng, type, v),
      type_schema_version: v,
      coordinates_system: stereotaxic ? 'Bregma' : null,
      coordinates_details: stereotaxic ? { ap: { value: rng.int(-40, 30) / 10, unit: 'mm' }, ml: { value: rng.int(-30, 30) / 10, unit: 'mm' }, dv: { value: rng.int(5, 45) / 10, unit: 'mm' } } : {},
      coordinates_schema_version: stereotaxic ? '1.0.0' : null,
      created_at: isoSeconds(at + DAY),
      updated_at: isoSeconds(at + rng.int(1, 20) * DAY),
    });
    for (let k = rng.int(0, 2); k > 0; k--) this.procedureLog(row);
    return row;
  }

  private procedureLog(procedure: Row): Row {
    const rng = this.rng('procedurelog');
    const type = rng.pick(V.PROCEDURE_LOG_TYPES);
    const at = Date.parse(procedure.date_time as string) + rng.int(0, 72) * 3_600_000;
    return this.insert('procedurelog', {
      procedure: procedure.id,
      type,
      date_time: isoSeconds(at),
      notes: rng.pick(V.NOTES),
      details: type === 'Anesthesia' ? { agent: 'isoflurane', concentration: { value: 1.5, unit: '%' } } : {},
      type_schema_version: '1.1.0',
    });
  }

  private subjectLog(subject: Row): Row {
    const rng = this.rng('subjectlog');
    const type = rng.pick(V.SUBJECT_LOG_TYPES);
    const v = this.version(rng);
    return this.insert('subjectlog', {
      subject: subject.id,
      type,
      date_time: isoSeconds(BASE_MS + rng.int(0, 300) * DAY + rng.int(0, 10) * 3_600_000),
      notes: rng.pick(V.NOTES),
      details: subjectLogDetails(rng, type, v),
      type_schema_version: v,
    });
  }

  private session(p: ProjectState, alsoIn: string[]): Row {
    const rng = this.rng('session');
    const cfg = SCALES[this.scale];
    const n = ++p.sessions;
    const atMs = BASE_MS + (p.index * 17 + n) * DAY + rng.int(0, 10) * 3_600_000 + rng.int(0, 59) * 60_000;
    const name = `${p.slug}_${isoDate(atMs).replace(/-/g, '')}_${String(n).padStart(3, '0')}${alsoIn.length ? '_shared' : ''}${rng.bool(0.1) ? ' (ré-analysé)' : ''}`;
    const withImage = rng.bool(0.15);
    const description = withImage ? `<p>Arena snapshot:</p><p><img src="${rng.pick(this.images).url}" alt="arena"></p>` : rng.pick(V.DESCRIPTIONS);
    const row = this.insert('session', {
      name,
      description,
      projects: [p.row.id, ...alsoIn],
      date_time: rng.bool(0.08) ? null : isoSeconds(atMs),
      datastorage: this.ref.datastorage.filter(() => rng.bool(0.35)),
      extra_fields: rng.bool(0.3) ? { temperature: rng.pick(['ambient', '22 °C']), rig: { id: rng.int(1, 3), notes: rng.pick(V.NOTES) } } : {},
      download_links: Array.from({ length: rng.int(0, 2) }, (_, k) => {
        const repository = rng.pick(V.REPOSITORIES);
        return { repository, url: externalUrl(repository, hash32(this.seed, name, k)) };
      }),
      name_used_in_storage: name.replace(/[^A-Za-z0-9_-]+/g, '_'),
      tags: rng.bool(0.4) ? [rng.pick(V.TAGS), ...(rng.bool(0.3) ? [rng.pick(V.TAGS)] : [])] : [],
      links: { dataacquisition: 'dataacquisition/', behaviors: 'behaviors/', manipulations: 'manipulations/', epochs: 'epochs/' },
    });
    const subjects = p.subjectIds.length ? [rng.pick(p.subjectIds)] : [];
    for (let k = rng.int(...cfg.behaviorsPerSession); k > 0; k--) this.behavior(row, subjects, p);
    for (let k = rng.int(...cfg.acquisitionsPerSession); k > 0; k--) this.acquisition(row, subjects);
    for (let k = rng.int(...cfg.manipulationsPerSession); k > 0; k--) this.manipulation(row, subjects);
    for (let k = rng.int(...cfg.epochsPerSession); k > 0; k--) this.epoch(row);
    return row;
  }

  private siblings(session: Row, field: string): number {
    return this.store.relatedIds('session', session, field).length;
  }

  /** Procedures of the session's subjects, which acquisitions and manipulations point at. */
  private procedures(subjectIds: string[]): string[] {
    return subjectIds.flatMap((id) => this.store.relatedIds('subject', this.store.get('subject', id)!, 'procedures'));
  }

  private behavior(session: Row, subjects: string[], p: ProjectState): Row {
    const rng = this.rng('behavior');
    const extra = rng.bool(0.3) && p.subjectIds.length > 1 ? [rng.pick(p.subjectIds)] : [];
    return this.insert('behavior', {
      session: session.id,
      subjects: [...new Set([...subjects, ...extra])],
      setup: rng.pick(this.ref.setup),
      behavioralassay: rng.pick(this.ref.behavioralassay),
      notes: rng.pick(V.NOTES),
      order: this.siblings(session, 'behaviors') + 1,
    });
  }

  private acquisition(session: Row, subjects: string[]): Row {
    const rng = this.rng('dataacquisition');
    const type = rng.pick(V.ACQUISITION_TYPES);
    const v = this.version(rng);
    const order = this.siblings(session, 'dataacquisition') + 1;
    const procs = this.procedures(subjects);
    return this.insert('dataacquisition', {
      type,
      notes: rng.pick(V.NOTES),
      session: session.id,
      procedures: procs.length && rng.bool(0.6) ? [rng.pick(procs)] : [],
      equipment: rng.bool(0.7) ? [rng.pick(this.ref.equipment)] : [],
      details: acquisitionDetails(rng, type, v, `${session.name_used_in_storage}_${order}`),
      type_schema_version: v,
      image: rng.bool(0.4) ? rng.pick(this.images).url : null,
      order,
    });
  }

  private manipulation(session: Row, subjects: string[]): Row {
    const rng = this.rng('manipulation');
    const type = rng.pick(V.MANIPULATION_TYPES);
    const v = this.version(rng);
    const procs = this.procedures(subjects);
    return this.insert('manipulation', {
      type,
      notes: rng.pick(V.NOTES),
      procedures: procs.length && rng.bool(0.5) ? [rng.pick(procs)] : [],
      session: session.id,
      equipment: rng.bool(0.5) ? [rng.pick(this.ref.equipment)] : [],
      details: manipulationDetails(rng, type, v),
      type_schema_version: v,
      order: this.siblings(session, 'manipulations') + 1,
    });
  }

  private epoch(session: Row): Row {
    const rng = this.rng('epoch');
    const order = this.siblings(session, 'epochs') + 1;
    const start = (order - 1) * 1200 + rng.int(0, 60);
    const acquisitions = this.store.relatedIds('session', session, 'dataacquisition');
    return this.insert('epoch', {
      name: ['baseline', 'stimulation', 'recovery', 'sleep'][(order - 1) % 4],
      description: '',
      session: session.id,
      dataacquisition: acquisitions.filter(() => rng.bool(0.6)),
      start_time: start,
      end_time: rng.bool(0.1) ? null : start + rng.int(300, 1200) + 0.5,
      order,
    });
  }

  /** Appends n generated records under a parent; the ids continue the model's deterministic sequence. */
  append(model: AppendableModel, parentId: string, n: number): string[] {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push(this.appendOne(model, parentId).id);
    return ids;
  }

  private appendOne(model: AppendableModel, parentId: string): Row {
    const parentModel = APPENDABLE[model];
    const parent = this.store.get(parentModel, parentId);
    if (!parent) throw new Error(`no ${parentModel} with id ${parentId}`);
    const project = (id: string) => this.projects.find((p) => p.row.id === id)!;
    const sessionSubjects = (s: Row) => this.store.relatedIds('session', s, 'behaviors').flatMap((b) => this.store.get('behavior', b)!.subjects as string[]);
    switch (model) {
      case 'session':
        return this.session(project(parentId), []);
      case 'subject':
        return this.subject(project(parentId), []);
      case 'dataacquisition':
        return this.acquisition(parent, sessionSubjects(parent));
      case 'behavior':
        return this.behavior(parent, sessionSubjects(parent).slice(0, 1), project((parent.projects as string[])[0]));
      case 'manipulation':
        return this.manipulation(parent, sessionSubjects(parent));
      case 'epoch':
        return this.epoch(parent);
      case 'procedure':
        return this.procedure(parent);
      case 'subjectlog':
        return this.subjectLog(parent);
      case 'procedurelog':
        return this.procedureLog(parent);
    }
  }
}

/** Links to external repositories: listed by the API, never served by the simulator. */
function externalUrl(repository: string, h: number): string {
  const n = String(h % 1_000_000).padStart(6, '0');
  switch (repository) {
    case 'DANDI':
      return `https://dandiarchive.org/dandiset/${n}?pos=1`;
    case 'Zenodo':
      return `https://zenodo.org/records/${n}`;
    case 'Figshare':
      return `https://figshare.com/articles/dataset/${n}`;
    case 'GitHub':
      return `https://github.com/example-lab/session-${n}`;
    case 'CRCNS':
      return `https://crcns.org/data-sets/hc/hc-${n.slice(0, 2)}`;
    default:
      return `https://data.example.org/${repository.toLowerCase()}/${n}`;
  }
}
