// The registry of CLI commands: one clipanion command class per file under src/cli/.
// Each owner adds its own line; keep this file a plain list.
import type { CommandClass } from 'clipanion';
import { BuildCommand } from './build.js';
import { CacheStatsCommand, CachePruneCommand } from './cache.js';
import { CancelCommand } from './cancel.js';
import { CheckCommand } from './check.js';
import { CleanCommand } from './clean.js';
import { GraphCommand } from './graph.js';
import { HaddCommand } from './hadd.js';
import { InitCommand } from './init.js';
import { RunChunkCommand } from './run-chunk.js';
import { RunCommand } from './run.js';
import { StatusCommand } from './status.js';
import { WhyCommand } from './why.js';
import { YieldsCommand } from './yields.js';
import { ReportCommand } from './report.js';
import { RootInspectCommand } from './root/inspect.js';
import { RootMergeCommand } from './root/merge.js';

export const commands: CommandClass[] = [
  BuildCommand,
  RunChunkCommand,
  RunCommand,
  StatusCommand,
  WhyCommand,
  GraphCommand,
  CleanCommand,
  CheckCommand,
  HaddCommand,
  InitCommand,
  RootInspectCommand,
  RootMergeCommand,
  CancelCommand,
  CacheStatsCommand,
  CachePruneCommand,
  YieldsCommand,
  ReportCommand,
];
