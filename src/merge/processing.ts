// processing.yaml as heppy_hadd writes it: how many chunks the component had, how many were merged.
export function processingYaml(nfiles: number, ngoodfiles: number): string {
  return `processing:\n  nfiles: ${nfiles}\n  ngoodfiles: ${ngoodfiles}\n`;
}
