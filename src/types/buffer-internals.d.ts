// Node's Buffer has fast latin1 helpers that @types/node does not declare;
// they avoid the encoding dispatch of toString()/write() on hot paths.
export {};
declare global {
  interface Buffer {
    latin1Slice(start: number, end: number): string;
    latin1Write(s: string, offset: number, length?: number): number;
  }
}
