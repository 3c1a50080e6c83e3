// What a Tsung import could not map (`unsupported`: the run differs from what Tsung would do)
// and what it decided on the way (`notes`: the run does the equivalent the load suite's way).
export interface TsungImportLog {
  readonly unsupported: string[];
  readonly notes: string[];
}

export function newImportLog(): TsungImportLog {
  return { unsupported: [], notes: [] };
}
