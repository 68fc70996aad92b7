import { streamRecords } from "./csvRecords.ts";
import { HistoryChunkReader, type ChunkRead } from "./historyChunkReader.ts";

/** One reader's share of a history file: bytes `[start, end)`, starting at a line. */
export interface RangeTask {
  file: string;
  start: number;
  end: number;
  /** The file's header, for every range but the first (which reads it itself). */
  header?: string[];
}

export interface RangeResult {
  read: ChunkRead;
  /** LF bytes in the range: the next range's lines start after them. */
  lineBreaks: number;
}

export async function readRange(task: RangeTask, onBytes?: (bytes: number) => void): Promise<RangeResult> {
  const reader = new HistoryChunkReader(task.file, task.header);
  let reported = 0;
  const streamed = await streamRecords(task.file, reader, {
    range: { start: task.start, end: task.end },
    onProgress: onBytes && (({ bytes }) => {
      onBytes(bytes - reported);
      reported = bytes;
    }),
  });
  if (!streamed) throw new Error("a range read was stopped");
  return { read: reader.finish(), lineBreaks: streamed.lineBreaks };
}
