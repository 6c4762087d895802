// The renderer's reading of a descriptor, with a second source shaped unlike HyperStudy (two
// roots, a root with four child levels, a level with both children and data, leaves with and
// without data, no counts, no people) beside HyperStudy's own descriptor: places and their
// addresses follow the level tree, pages list the right child levels, names come from each
// level's label field, and the export dialog's choices come from the descriptor.
import { describe, expect, it } from 'vitest';
import type { LevelItem, PathStep } from '../../../src-shared/model';
import { sourceDescriptor } from '../../../src-main/core/sources/registry';
import { typesAt } from '../../../src-renderer/src/lib/data-types';
import { anonymizeChoices, splitChoicesAt } from '../../../src-renderer/src/lib/export-options';
import { itemName, nameForField } from '../../../src-renderer/src/lib/item-names';
import { childLevelsOf, followsTree, isLeaf, itemLabel, itemTitle, levelOfField, mediaNoun, opens, personLevel } from '../../../src-renderer/src/lib/levels';
import { hashToLocation, locationToHash, normalize, pageOf, parentOf, type Location } from '../../../src-renderer/src/lib/location';
import { createHierarchyStore, itemKey, nameIndexKey } from '../../../src-renderer/src/stores/hierarchy-store';
import { createNavStore, currentLocation, goUp, navigate, setLevels } from '../../../src-renderer/src/stores/nav-store';
import { notebookSource as nb } from './fixtures/notebook-source';

const hs = sourceDescriptor('hyperstudy');
const p1: PathStep = { level: 'project', id: 'p/1' };
const s1: PathStep = { level: 'session', id: 's1' };
const sub: PathStep = { level: 'subject', id: 'm 7' };

describe('the level tree', () => {
  it('lists the root levels at the top and each level’s children below it', () => {
    expect(childLevelsOf(nb.levels, null)).toEqual(['project', 'instrument']);
    expect(childLevelsOf(nb.levels, 'project')).toEqual(['session', 'subject', 'collection', 'cohort']);
    expect(childLevelsOf(hs.levels, null)).toEqual(['experiment']);
    expect(childLevelsOf(hs.levels, 'experiment')).toEqual(['room']);
    expect(isLeaf(nb.levels, 'subject')).toBe(true);
    expect(isLeaf(nb.levels, 'session')).toBe(false);
    expect(followsTree(nb.levels, [p1, s1, { level: 'epoch', id: 'e' }])).toBe(true);
    expect(followsTree(nb.levels, [p1, { level: 'epoch', id: 'e' }])).toBe(false);
  });
  it('opens an item only where there is something to show: child levels or data', () => {
    expect(opens(nb, 'project')).toBe(true);
    expect(opens(nb, 'session')).toBe(true); // children and data
    expect(opens(nb, 'subject')).toBe(true); // data only
    expect(opens(nb, 'collection')).toBe(false); // neither
    expect(opens(nb, 'acquisition')).toBe(false);
    expect(opens(hs, 'participant')).toBe(true);
  });
  it('offers the data types a level can be read at', () => {
    expect(typesAt(nb, 'session').map((d) => d.id)).toEqual(['sessions', 'acquisitions']);
    expect(typesAt(nb, 'subject').map((d) => d.id)).toEqual(['subjects']);
    expect(typesAt(nb, 'collection')).toEqual([]);
    expect(typesAt(nb, 'project').map((d) => d.id)).toEqual(['sessions', 'acquisitions', 'subjects']);
  });
});

describe('places in a tree with several child levels', () => {
  const round = (loc: Location) => hashToLocation(locationToHash(loc), nb.levels);
  it('names the listed child level in the address only when it is not the first', () => {
    expect(locationToHash(normalize({ path: [p1], list: 'subject' }, nb.levels))).toBe('#/project/p%2F1/subject');
    expect(round({ path: [p1], list: 'subject' })).toEqual({ path: [p1], list: 'subject' });
    expect(hashToLocation('#/project/p%2F1/session', nb.levels)).toEqual({ path: [p1] });
    expect(round({ path: [], list: 'instrument' })).toEqual({ path: [], list: 'instrument' });
    expect(round({ path: [p1, s1], list: 'epoch' })).toEqual({ path: [p1, s1], list: 'epoch' });
    expect(round({ path: [p1, s1], data: true, tab: 'acquisitions' })).toEqual({ path: [p1, s1], data: true, tab: 'acquisitions' });
  });
  it('refuses addresses that leave the tree', () => {
    expect(hashToLocation('#/project/p1/epoch/e1', nb.levels)).toBeNull();
    expect(hashToLocation('#/session/s1', nb.levels)).toBeNull();
    expect(hashToLocation('#/project/p1/nowhere', nb.levels)).toBeNull();
    expect(hashToLocation('#/project/p1/subject/data', nb.levels)).toEqual({ path: [{ level: 'project', id: 'p1' }, { level: 'subject', id: 'data' }], data: true }); // an id may be "data"
    expect(hashToLocation('#/project/p1/subject/data/tab', nb.levels)).toBeNull();
    expect(hashToLocation('#/project/p1/subject/extra/parts/here/x', nb.levels)).toBeNull();
    // HyperStudy's pages list one child level: a level alone at the end names nothing.
    expect(hashToLocation('#/experiment/e1/room', hs.levels)).toBeNull();
  });
  it('a leaf (with data or without) is its data; up returns to the list it was in', () => {
    expect(normalize({ path: [p1, sub] }, nb.levels)).toEqual({ path: [p1, sub], data: true });
    expect(parentOf({ path: [p1, sub], data: true }, nb.levels)).toEqual({ path: [p1], list: 'subject' });
    expect(parentOf({ path: [p1, s1] }, nb.levels)).toEqual({ path: [p1] }); // sessions are the first list
    expect(parentOf({ path: [p1, s1], data: true }, nb.levels)).toEqual({ path: [p1, s1] });
    expect(parentOf({ path: [p1] }, nb.levels)).toEqual({ path: [] });
    expect(pageOf([p1, sub], 0, nb.levels)).toEqual({ path: [p1], list: 'subject' });
    expect(pageOf([p1, s1, { level: 'epoch', id: 'e' }], 1, nb.levels)).toEqual({ path: [p1, s1], list: 'epoch' });
  });
  it('the nav store follows the tree it is given, and a new source’s tree replaces the old', () => {
    const nav = createNavStore();
    setLevels(nav, nb.levels);
    navigate(nav, { path: [p1, sub] });
    expect(currentLocation(nav.getState())).toEqual({ path: [p1, sub], data: true });
    goUp(nav);
    expect(currentLocation(nav.getState())).toEqual({ path: [p1], list: 'subject' });
    setLevels(nav, hs.levels);
    navigate(nav, { path: [{ level: 'experiment', id: 'e' }, { level: 'room', id: 'r' }, { level: 'participant', id: 'p' }] });
    expect(currentLocation(nav.getState()).data).toBe(true);
  });
});

describe('names from each level’s label field', () => {
  const h = createHierarchyStore().getState();
  const acq: LevelItem = { id: 'a1', label: 'a1', type: 'ephys' };
  const session: LevelItem = { id: 's1', label: 's1', name: 'Morning run' };
  h.items[itemKey([p1, s1])] = session;
  h.items[itemKey([p1, s1, { level: 'acquisition', id: 'a1' }])] = acq;
  h.names[nameIndexKey(p1, 'session')] = { s1: 'Morning run' };
  h.names[nameIndexKey(p1, 'subject')] = { 'm 7': 'Mouse 7' };
  it('names an item on a path by its level’s label field, else the listing’s label, else not at all', () => {
    expect(itemName(h, nb.levels, [p1, s1], 1)).toBe('Morning run');
    expect(itemName(h, nb.levels, [p1, s1, { level: 'acquisition', id: 'a1' }], 2)).toBe('ephys');
    expect(itemName(h, nb.levels, [p1, sub], 1)).toBe('Mouse 7'); // from the names index of its root
    expect(itemName(h, nb.levels, [p1], 0)).toBeUndefined(); // nothing loaded: the id is shown
    expect(itemLabel({ id: 'x', label: 'Listed' }, { labelField: 'name' }, 'x')).toBe('Listed');
  });
  it('names ids in data by the level a column names (session, subject_id, participantId)', () => {
    expect(levelOfField(nb.levels, 'session')).toBe('session');
    expect(levelOfField(nb.levels, 'subject_id')).toBe('subject');
    expect(levelOfField(nb.levels, 'sessions')).toBeUndefined();
    expect(levelOfField(hs.levels, 'participantId')).toBe('participant');
    expect(levelOfField(hs.levels, 'senderId')).toBeUndefined();
    expect(nameForField(h, nb.levels, [p1, s1], 'session', 's1')).toBe('Morning run');
    expect(nameForField(h, nb.levels, [p1], 'subject_id', 'm 7')).toBe('Mouse 7');
    expect(nameForField(h, nb.levels, [{ level: 'project', id: 'other' }], 'session', 's1')).toBeUndefined(); // another root
  });
  it('titles items by their level’s word', () => {
    expect(itemTitle(nb.levels[0], 'Grid cells')).toBe('Grid cells');
    expect(itemTitle(nb.levels[0], 'Grid cells', true)).toBe('Project “Grid cells”');
    expect(itemTitle(nb.levels[2], 'Morning run')).toBe('Session Morning run');
  });
});

describe('export choices from the descriptor', () => {
  it('splits where the source offers them', () => {
    expect(splitChoicesAt(nb, 'project')).toEqual([{ id: 'none', label: 'One file per data type' }, { id: 'session', label: 'One folder per session' }]);
    expect(splitChoicesAt(nb, 'session').map((c) => c.id)).toEqual(['none']);
    expect(splitChoicesAt(hs, 'experiment').map((c) => c.id)).toEqual(['none', 'room', 'participant']);
  });
  it('anonymization modes the source has, in its own words for people', () => {
    expect(anonymizeChoices(nb)).toEqual([{ mode: 'keep', label: 'Keep identifiers', explain: 'Records stay as Lab Notebook stores them.' }]);
    expect(personLevel(nb)).toBeUndefined();
    const modes = anonymizeChoices(hs);
    expect(modes.map((m) => m.mode)).toEqual(['keep', 'pseudonymize', 'aggregate']);
    expect(modes[0].explain).toBe('Participant IDs, names and emails stay as HyperStudy stores them. For your own lab analysis.');
    expect(modes[1].explain).toContain('every export of this experiment');
  });
  it('names media files by the source’s word for them', () => {
    expect(mediaNoun(nb.dataTypes.find((d) => d.media))).toBe('image');
    expect(mediaNoun(hs.dataTypes.find((d) => d.media))).toBe('recording');
    expect(mediaNoun(undefined)).toBe('file');
  });
});
