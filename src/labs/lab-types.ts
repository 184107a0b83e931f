// The vocabulary of the teaching layer: labs (set-up, tasks, checks) as they are written
// in labs/*.yaml, and what grading answers. Everything is plain JSON.
import type { ArchLevelName } from '../sim/arch-types.js';
import type { MemslotSpec, Operation, VcpuSpec, VmConfigInput } from '../sim/index.js';

/** An HTTP call as a student makes it; `{vm:<name>}` in the path names a session VM. */
export interface ApiCall {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: Record<string, unknown>;
}

export interface MemslotSetup extends MemslotSpec {
  addressSpace: number;
  slot: number;
}

interface AttributeSetup {
  address: string;
  size: string;
  private: boolean;
}

/** One VM of a lab (or quiz) set-up, in the contract's camelCase field names. */
export interface LabVmSetup {
  name: string;
  config: Omit<VmConfigInput, 'name'>;
  memslots?: MemslotSetup[];
  memoryAttributes?: AttributeSetup[];
  vcpus?: VcpuSpec[];
  finalize?: boolean;
}

/** Which root(s) a check looks at: every field given must equal the root's. */
export interface RoleFilter {
  level?: number;
  smm?: boolean;
  guestMode?: boolean;
  mirror?: boolean;
  addressSpace?: number;
  /** arm64 `s2-canonical` / `s2-nested`, s390 `gmap` (an x86 root has no kind). */
  kind?: 's2-canonical' | 's2-nested' | 'gmap';
}

/** A leaf size of any arch: x86 4K/2M/1G, arm64 granule, block sizes, s390 1M/2G. */
export type LevelName = ArchLevelName;

interface CheckBase {
  vm: string;
  /** Shown while the check does not pass yet. */
  hint: string;
}

export type Check = CheckBase &
  (
    | { kind: 'rootExists'; role: RoleFilter; vcpus?: number[]; empty?: boolean }
    | { kind: 'rootCount'; role?: RoleFilter; equals: number }
    | {
        kind: 'mappingAt';
        gpa: string;
        role?: RoleFilter;
        level?: LevelName;
        mapKind?: 'ram' | 'mmio';
        private?: boolean;
        writable?: boolean;
        dirty?: boolean;
        accessed?: boolean;
        executable?: boolean;
      }
    | { kind: 'leafCount'; role?: RoleFilter; from: string; to: string; level: LevelName; equals?: number; atLeast?: number }
    | { kind: 'vmState'; preFaultAllowed: boolean }
    | { kind: 'memslotFlags'; addressSpace: number; slot: number; includes: string[] }
    | { kind: 'memoryAttribute'; gpa: string; private: boolean }
    | { kind: 'operationLogged'; op: Record<string, unknown>; result?: Record<string, unknown>; atLeast?: number }
  );

type CheckKind = Check['kind'];

/** What a prediction is about: ret (0 or -errno), the root's role, the leaf level, iterations. */
export type PredictField = 'ret' | 'rootRole' | 'level' | 'iterations';

/**
 * A prediction answer the page offers: text (ret, level, iterations) or a root role
 * (rootRole; an arm64 stage-2 has 2 or 3 levels, an x86 root 4 or 5).
 */
export type PredictChoice = string | { smm: boolean; guestMode: boolean; level?: 2 | 3 | 4 | 5 };

/** One prediction a task asks for: the outcome of its calls[call - 1], as the log records it. */
export interface PredictItem {
  field: PredictField;
  call: number;
  label: string;
  /** Answers the page offers: text, or for rootRole the roles themselves. */
  choices?: PredictChoice[];
}

export interface LabTask {
  n: number;
  title: string;
  /** The task without its outcome (predict mode shows this until a prediction is stored). */
  prompt?: string;
  /** The rule behind the outcome and the kernel function that applies it. */
  explain: string;
  calls: ApiCall[];
  predict?: PredictItem[];
  checks: Check[];
}

export interface Lab {
  id: string;
  title: string;
  goal: string;
  /** Sections of docs/spec.md the lab is about. */
  spec: string[];
  vms: LabVmSetup[];
  tasks: LabTask[];
}

/** A session VM as the service creates it: its config plus the set-up operations to log. */
export interface SessionVm {
  name: string;
  config: VmConfigInput;
  setupOps: Operation[];
}

/** One entry of a VM's operation log as the server records it. */
export interface LoggedOperation {
  op: Operation;
  result: unknown;
}

export interface CheckOutcome {
  kind: CheckKind;
  vm: string;
  passed: boolean;
  /** What the engine state shows, in one line. */
  detail: string;
  hint?: string;
}

export interface TaskGrade {
  n: number;
  title: string;
  passed: boolean;
  checks: CheckOutcome[];
}

export interface LabGrade {
  labId: string;
  passed: boolean;
  tasks: TaskGrade[];
}
