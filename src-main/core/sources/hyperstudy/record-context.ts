// A HyperStudy record's place in an export: its room and its participant (record-room.ts decides
// both), from the export's listings (the participants' rooms for records that name no room).
import type { DataTypeId } from '../../../../src-shared/model';
import type { ExportListings, RecordContext } from '../source';
import { participantOfRecord, roomOfRecord, type ParticipantRooms } from './record-room';

/** The participants' rooms as kept in the listings (personGroups.room). */
function roomsOf(listings: ExportListings | undefined): ParticipantRooms {
  return new Map(Object.entries(listings?.personGroups?.room ?? {}));
}

export function hyperstudyRecordContext(listings?: ExportListings): (type: DataTypeId, record: Record<string, unknown>) => RecordContext {
  const rooms = roomsOf(listings);
  return (_type, record) => {
    const person = participantOfRecord(record);
    return { groups: { room: roomOfRecord(record, rooms), participant: person }, person };
  };
}
