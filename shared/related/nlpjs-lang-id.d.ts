// @nlpjs/lang-id ships no type declarations; this covers the one class Warta uses.
declare module '@nlpjs/lang-id' {
  export class StemmerId {
    /** The underlying Snowball-style Indonesian stemmer; `stemWord` expects a lowercase word. */
    innerStemmer: { stemWord(word: string): string };
  }
}
