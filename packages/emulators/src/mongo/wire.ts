import { BSON } from 'bson';
import { EXACT, type Doc } from './values.js';

/** Opcodes of the MongoDB wire protocol that the emulator speaks. */
export const OpCode = { reply: 1, query: 2004, msg: 2013, compressed: 2012 } as const;

const HEADER = 16;
const CHECKSUM_PRESENT = 1;
const MORE_TO_COME = 1 << 1;

/** One request, decoded: the database, the command document and whether the client expects an answer. */
export interface WireRequest {
  requestId: number;
  opCode: number;
  db: string;
  command: Doc;
  /** OP_MSG with moreToCome (unacknowledged write): no reply is sent. */
  noReply: boolean;
}

/** The declared length of the message at the start of `buf`, or -1 before its header arrives. */
export function messageLength(buf: Buffer): number {
  return buf.length < 4 ? -1 : buf.readInt32LE(0);
}

/** Decodes OP_MSG (sections 0 and 1) and the legacy OP_QUERY that drivers use for the first handshake. */
export function decodeRequest(msg: Buffer): WireRequest {
  const requestId = msg.readInt32LE(4);
  const opCode = msg.readInt32LE(12);
  if (opCode === OpCode.msg) return { requestId, opCode, ...decodeOpMsg(msg) };
  if (opCode === OpCode.query) return { requestId, opCode, ...decodeOpQuery(msg) };
  throw new Error(`unsupported opcode ${opCode}`);
}

function decodeOpMsg(msg: Buffer): { db: string; command: Doc; noReply: boolean } {
  const flags = msg.readUInt32LE(HEADER);
  const end = msg.length - (flags & CHECKSUM_PRESENT ? 4 : 0);
  let pos = HEADER + 4;
  let body: Doc | undefined;
  const sequences: Record<string, Doc[]> = {};
  while (pos < end) {
    const kind = msg[pos++];
    const size = msg.readInt32LE(pos);
    if (kind === 0) {
      body = BSON.deserialize(msg.subarray(pos, pos + size), EXACT);
      pos += size;
    } else if (kind === 1) {
      const sectionEnd = pos + size;
      const nameEnd = msg.indexOf(0, pos + 4);
      const id = msg.toString('utf8', pos + 4, nameEnd);
      const docs: Doc[] = [];
      for (let p = nameEnd + 1; p < sectionEnd;) {
        const docSize = msg.readInt32LE(p);
        docs.push(BSON.deserialize(msg.subarray(p, p + docSize), EXACT));
        p += docSize;
      }
      sequences[id] = docs;
      pos = sectionEnd;
    } else throw new Error(`unsupported OP_MSG section kind ${kind}`);
  }
  if (!body) throw new Error('OP_MSG without a body section');
  const command = { ...body, ...sequences };
  return { db: String(body.$db ?? 'admin'), command, noReply: Boolean(flags & MORE_TO_COME) };
}

function decodeOpQuery(msg: Buffer): { db: string; command: Doc; noReply: boolean } {
  const nameEnd = msg.indexOf(0, HEADER + 4);
  const fullName = msg.toString('utf8', HEADER + 4, nameEnd);
  const docStart = nameEnd + 1 + 8;
  const size = msg.readInt32LE(docStart);
  let command = BSON.deserialize(msg.subarray(docStart, docStart + size), EXACT);
  // Old drivers wrap the command when they add a read preference.
  if (command.$query && typeof command.$query === 'object') command = command.$query as Doc;
  return { db: fullName.split('.')[0], command, noReply: false };
}

/** A reply's header (length, ids, opcode) followed by `extra` zeroed bytes for the opcode's own fields. */
function replyHead(request: WireRequest, requestId: number, opCode: number, extra: number, bodyLength: number): Buffer {
  const head = Buffer.alloc(HEADER + extra);
  head.writeInt32LE(head.length + bodyLength, 0);
  head.writeInt32LE(requestId, 4);
  head.writeInt32LE(request.requestId, 8);
  head.writeInt32LE(opCode, 12);
  return head;
}

/** The reply to a request, in the opcode the client used. */
export function encodeReply(request: WireRequest, requestId: number, doc: Doc): Buffer {
  const body = BSON.serialize(doc);
  if (request.opCode === OpCode.query) {
    const head = replyHead(request, requestId, OpCode.reply, 20, body.length);
    // responseFlags 0, cursorID 0, startingFrom 0 (left zeroed); one document returned.
    head.writeInt32LE(1, 32);
    return Buffer.concat([head, body]);
  }
  // flagBits 0, then section kind 0 (the body document), both left zeroed.
  return Buffer.concat([replyHead(request, requestId, OpCode.msg, 5, body.length), body]);
}
