// jsroot ships no typings for its RNTuple module; the tests use one function of it.
declare module 'jsroot/rntuple' {
  /** Runs a TSelector over an RNTuple object read with TFile.readObject. */
  export function rntupleProcess(rntuple: unknown, selector: unknown, args?: object): Promise<unknown>;
}
