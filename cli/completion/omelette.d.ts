/** The part of omelette 0.4 (no bundled types) that cli/completion/ uses. */
declare module 'omelette' {
  interface CompletionData {
    /** The command line typed so far, up to the cursor. */
    line: string;
    reply(words: string[]): void;
  }
  interface Omelette {
    on(event: 'complete', handler: (fragment: string, data: CompletionData) => void): Omelette;
    init(): void;
    generateCompletionCode(): string;
    generateCompletionCodeFish(): string;
  }
  function omelette(template: string): Omelette;
  export = omelette;
}
