// `import … from '../placement'` resolves here; the public API is mod.ts.
export * from './mod';
