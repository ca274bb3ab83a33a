// heppy's HEPPY_* environment switches, read by one parser: a value that is not one of the
// accepted ones is bad input (one line naming the variable and what it accepts, exit 2), never
// silently "off" (`HEPPY_CODEC_THREAD=yes` used to be). The CLI checks them all before doing
// anything (checkEnv); the readers deep in the code then get only valid values.
import { assertNever, UserError } from './result.js';

const TRUE = ['1', 'true', 'yes', 'on'];
const FALSE = ['0', 'false', 'no', 'off'];

export type EnvSpec =
  | { kind: 'boolean' }
  | { kind: 'enum'; values: readonly string[] }
  /** A boolean word, or one of these extra words (HEPPY_CODEC_THREAD=all). */
  | { kind: 'boolean+'; extra: readonly string[] }
  | { kind: 'number'; min: number; integer: boolean };

/** Every switch with a fixed set of values (free-form ones, paths and flags, are not listed). */
export const ENV_SWITCHES = {
  HEPPY_CODEC_THREAD: { kind: 'boolean+', extra: ['all'] },
  HEPPY_OUTPUT_THREAD: { kind: 'boolean' },
  HEPPY_HASH_IMPL: { kind: 'enum', values: ['native', 'wasm'] },
  HEPPY_HASH_THREADS: { kind: 'number', min: 0, integer: true },
  HEPPY_BUNDLE: { kind: 'boolean' },
  HEPPY_TIMING: { kind: 'boolean' },
  HEPPY_STORE_BATCH_MS: { kind: 'number', min: 0, integer: false },
  HEPPY_NET_TIMEOUT: { kind: 'number', min: 0.001, integer: false },
  HEPPY_NET_ATTEMPTS: { kind: 'number', min: 1, integer: true },
} as const satisfies Record<string, EnvSpec>;
export type EnvSwitch = keyof typeof ENV_SWITCHES;

function accepted(spec: EnvSpec): string {
  switch (spec.kind) {
    case 'boolean': return `${TRUE.join('/')} or ${FALSE.join('/')}`;
    case 'boolean+': return `${TRUE.join('/')}, ${FALSE.join('/')} or ${spec.extra.join('/')}`;
    case 'enum': return spec.values.join(' or ');
    case 'number': return `${spec.integer ? 'an integer' : 'a number'} >= ${spec.min}`;
    default: return assertNever(spec, 'environment switch kind');
  }
}

function bad(name: string, value: string, spec: EnvSpec): UserError {
  return new UserError(`${name} must be ${accepted(spec)}, got '${value}'`);
}

/** The value of a switch as its spec reads it: undefined when unset or empty; throws UserError when bad. */
export function parseEnv(name: string, value: string | undefined, spec: EnvSpec): boolean | string | number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim().toLowerCase();
  switch (spec.kind) {
    case 'boolean':
    case 'boolean+':
      if (TRUE.includes(v)) return true;
      if (FALSE.includes(v)) return false;
      if (spec.kind === 'boolean+' && spec.extra.includes(v)) return v;
      throw bad(name, value, spec);
    case 'enum':
      if (spec.values.includes(v)) return v;
      throw bad(name, value, spec);
    case 'number': {
      const n = Number(v);
      if (!Number.isFinite(n) || n < spec.min || (spec.integer && !Number.isInteger(n))) throw bad(name, value, spec);
      return n;
    }
    default: return assertNever(spec, 'environment switch kind');
  }
}

/** HEPPY_<boolean switch>: undefined when unset. */
export function envFlag(name: 'HEPPY_OUTPUT_THREAD' | 'HEPPY_BUNDLE' | 'HEPPY_TIMING', env: NodeJS.ProcessEnv = process.env): boolean | undefined {
  return parseEnv(name, env[name], ENV_SWITCHES[name]) as boolean | undefined;
}

/** HEPPY_<number switch>, or the default when unset. */
export function envNumber(name: 'HEPPY_HASH_THREADS' | 'HEPPY_STORE_BATCH_MS' | 'HEPPY_NET_TIMEOUT' | 'HEPPY_NET_ATTEMPTS', dflt: number, env: NodeJS.ProcessEnv = process.env): number {
  return (parseEnv(name, env[name], ENV_SWITCHES[name]) as number | undefined) ?? dflt;
}

/** HEPPY_CODEC_THREAD: off (unset too), on, or 'all' (work of every size to the thread). */
export function envCodecThread(env: NodeJS.ProcessEnv = process.env): 'off' | 'on' | 'all' {
  const v = parseEnv('HEPPY_CODEC_THREAD', env.HEPPY_CODEC_THREAD, ENV_SWITCHES.HEPPY_CODEC_THREAD);
  return v === 'all' ? 'all' : v === true ? 'on' : 'off';
}

/** HEPPY_HASH_IMPL: 'native' (the default, when unset) or 'wasm'. */
export function envHashImpl(env: NodeJS.ProcessEnv = process.env): 'native' | 'wasm' {
  return parseEnv('HEPPY_HASH_IMPL', env.HEPPY_HASH_IMPL, ENV_SWITCHES.HEPPY_HASH_IMPL) === 'wasm' ? 'wasm' : 'native';
}

/** Every switch of ENV_SWITCHES checked (the CLI, before anything else): throws UserError on the first bad one. */
export function checkEnv(env: NodeJS.ProcessEnv = process.env): void {
  for (const [name, spec] of Object.entries(ENV_SWITCHES) as [EnvSwitch, EnvSpec][]) parseEnv(name, env[name], spec);
}
