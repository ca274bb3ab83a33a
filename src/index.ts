// The public API that heppyfile.ts imports as 'heppy'.
export {};
