// The connection table's rows and HTTP verdicts as the text views collect them, from one analysis or from several
// shards analysed side by side, and the merge that gives each connection its id before the table is printed.
// CLI only (RowSpool uses fs). Must not analyse: it keeps, renumbers and prints rows made by render/tables.ts.

import type { ConnectionReport } from '../report.js';
import type { Palette } from '../render/color.js';
import { connectionRow, connectionTableLines, measureRow, renderHttpVerdict } from '../render/tables.js';
import { RowSpool } from './row-spool.js';

/**
 * Stands for a connection's id in a stored row until ids are merged. Cells and verdicts are control-free (cellText
 * escapes C0 controls), so it cannot occur in them, nor can the separators below.
 */
export const ID_PLACEHOLDER = '\u0002';
/** Joins a stored row's cells. */
const CELL_SEPARATOR = '\u0000';
/** Ends a stored row's cells before its verdict text. */
const VERDICT_SEPARATOR = '\u0001';

/** Per connection id of a shard: no row (filtered out), a row, or a row of a connection captured mid-stream. */
export const ROW_NONE = 0;
export const ROW_PLAIN = 1;
export const ROW_MIDSTREAM = 2;

/** A connection's stored row: its cells after the id, then its verdict with ID_PLACEHOLDER for the id. */
export interface MadeRow {
  kind: typeof ROW_PLAIN | typeof ROW_MIDSTREAM;
  text: string;
  /** The row's cells (the id cell without the id), for measuring column widths. */
  cells: string[];
}

export function makeRow(c: ConnectionReport, palette: Palette): MadeRow {
  const cells = connectionRow(c);
  // The id cell keeps only its mid-stream mark: the number is written when the table is printed.
  cells[0] = c.tcp.midstream ? '*' : '';
  return {
    kind: c.tcp.midstream ? ROW_MIDSTREAM : ROW_PLAIN,
    text: cells.join(CELL_SEPARATOR) + VERDICT_SEPARATOR + renderHttpVerdict(c, palette, ID_PLACEHOLDER),
    cells,
  };
}

/** One shard's rows, by the shard's own connection ids (in memory while few, then in a temporary file). */
export class ShardRows {
  private readonly spool = new RowSpool();
  private kinds = new Uint8Array(1024);
  /** Column widths of the rows' cells; column 0 (the id) is measured when the ids are known. */
  readonly widths: number[] = [];

  add(id: number, made: MadeRow): void {
    measureRow(this.widths, made.cells);
    this.addText(id, made.kind, made.text);
  }

  /** A row made elsewhere (a worker thread), whose widths come with mergeWidths(). */
  addText(id: number, kind: number, text: string): void {
    if (id >= this.kinds.length) {
      const grown = new Uint8Array(Math.max(id + 1, this.kinds.length * 2));
      grown.set(this.kinds);
      this.kinds = grown;
    }
    this.kinds[id] = kind;
    this.spool.add(id, text);
  }

  /** A batch of rows made by a shard on another thread. */
  addRows(m: { ids: readonly number[]; kinds: readonly number[]; texts: readonly string[] }): void {
    for (let i = 0; i < m.ids.length; i++) this.addText(m.ids[i]!, m.kinds[i]!, m.texts[i]!);
  }

  mergeWidths(widths: readonly number[]): void {
    for (let col = 0; col < widths.length; col++) {
      if (!(widths[col]! <= (this.widths[col] ?? -1))) this.widths[col] = widths[col]!;
    }
  }

  kind(id: number): number {
    return id < this.kinds.length ? this.kinds[id]! : ROW_NONE;
  }

  get count(): number {
    return this.spool.count;
  }

  text(id: number): string {
    return this.spool.get(id)!;
  }

  close(): void {
    this.spool.close();
  }
}

/**
 * Every connection in id order (the order of their first packets), as the shard and the shard's own id it came
 * from. One analysis: shard 0, ids unchanged. Shards: their first-packet indexes merged (each shard's list is in
 * increasing order, as ids are given at a connection's first packet).
 */
export interface IdOrder {
  count: number;
  shard: Uint8Array;
  local: Int32Array;
}

export function singleOrder(connections: number): IdOrder {
  const local = new Int32Array(connections);
  for (let i = 0; i < connections; i++) local[i] = i;
  return { count: connections, shard: new Uint8Array(connections), local };
}

export function mergeOrder(firstFrames: readonly Float64Array[]): IdOrder {
  const count = firstFrames.reduce((n, f) => n + f.length, 0);
  const shard = new Uint8Array(count);
  const local = new Int32Array(count);
  const next = new Int32Array(firstFrames.length);
  for (let g = 0; g < count; g++) {
    let best = -1;
    for (let s = 0; s < firstFrames.length; s++) {
      if (next[s]! < firstFrames[s]!.length && (best < 0 || firstFrames[s]![next[s]!]! < firstFrames[best]![next[best]!]!)) best = s;
    }
    shard[g] = best;
    local[g] = next[best]!++;
  }
  return { count, shard, local };
}

/**
 * The connection table, then each HTTP verdict and the pointer to --http, line by line (the caller may wait for a slow
 * reader between them); nothing when no connection has a row.
 */
export function* summaryTableLines(shards: readonly ShardRows[], order: IdOrder, palette: Palette): Generator<string, void, undefined> {
  if (shards.every((s) => s.count === 0)) return;
  const rowIds: number[] = [];
  let anyMidstream = false;
  let idWidth = 0;
  for (let g = 0; g < order.count; g++) {
    const kind = shards[order.shard[g]!]!.kind(order.local[g]!);
    if (kind === ROW_NONE) continue;
    rowIds.push(g);
    if (kind === ROW_MIDSTREAM) anyMidstream = true;
    idWidth = Math.max(idWidth, String(g).length + (kind === ROW_MIDSTREAM ? 1 : 0));
  }
  const widths: number[] = [];
  for (const s of shards) {
    for (let col = 1; col < s.widths.length; col++) widths[col] = Math.max(widths[col] ?? 0, s.widths[col]!);
  }
  widths[0] = idWidth;
  const text = (i: number): string => {
    const g = rowIds[i]!;
    return shards[order.shard[g]!]!.text(order.local[g]!);
  };
  yield* connectionTableLines(
    {
      count: rowIds.length,
      widths,
      row: (i) => {
        const t = text(i);
        const cells = t.slice(0, t.indexOf(VERDICT_SEPARATOR)).split(CELL_SEPARATOR);
        cells[0] = String(rowIds[i]) + cells[0];
        return cells;
      },
    },
    anyMidstream,
    palette,
  );
  let verdicts = 0;
  for (let i = 0; i < rowIds.length; i++) {
    const t = text(i);
    const verdict = t.slice(t.indexOf(VERDICT_SEPARATOR) + 1);
    if (verdict === '') continue;
    if (verdicts++ === 0) yield '';
    yield verdict.replace(ID_PLACEHOLDER, String(rowIds[i]));
  }
  if (verdicts > 0) yield `(each request and response: tcptrace --http)`;
}
