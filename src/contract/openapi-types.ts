// Generated from openapi.yaml by scripts/gen-openapi-types.ts (npm run gen:types): do not edit.

export interface paths {
    "/v1/vms": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List VMs
         * @description VMs in creation order, a page at a time (`nextCursor` is null on the last page).
         */
        get: operations["listVms"];
        put?: never;
        /**
         * Create a VM
         * @description KVM_CREATE_VM with the host configuration to simulate. Every field but `name` has
         *     the default shown in the schema. Combinations the kernel cannot produce (a TDX VM on
         *     AMD, an SEV VM on Intel, a protected VM without the TDP MMU, ...) are a 400 naming
         *     the field. `arch` is `x86` (the default), `arm64` or `s390` (contract v2): each arch has
         *     its own `host`, VM and vCPU fields, and a field of another arch is a 400 naming it.
         */
        post: operations["createVm"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/vms/{vmId}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The VM's id, as `POST /v1/vms` returned it. */
                vmId: components["parameters"]["VmId"];
            };
            cookie?: never;
        };
        /**
         * Get a VM
         * @description The VM's configuration, `createdAt`, and whether pre-faulting is allowed (`kvm->arch.pre_fault_allowed`).
         */
        get: operations["getVm"];
        put?: never;
        post?: never;
        /**
         * Delete a VM
         * @description Destroys the VM and removes its stored configuration and operation log.
         */
        delete: operations["deleteVm"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/vms/{vmId}/finalize": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The VM's id, as `POST /v1/vms` returned it. */
                vmId: components["parameters"]["VmId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Finalise the VM's launch
         * @description SNP `LAUNCH_FINISH` / TDX `FINALIZE_VM`. Afterwards pre-faulting is allowed for
         *     those VM types. On other types the simulated kernel answers with an errno (200).
         *     Takes no request body.
         */
        post: operations["finalizeVm"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/vms/{vmId}/mark-dead": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The VM's id, as `POST /v1/vms` returned it. */
                vmId: components["parameters"]["VmId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Mark the VM dead (kvm_vm_dead)
         * @description Stands for `kvm_vm_dead()` after a `KVM_BUG_ON`: irreversible. The VM view carries
         *     `dead: true` from then on, and every call that stands for a VM or vCPU ioctl answers 200
         *     with `ret: -5, errno: "EIO"` (and a `reason`) before any validation; a pre-fault echoes
         *     its range unchanged with no iterations and no mappings. Reads (roots, mappings, walk,
         *     operations, export) keep working. Marking a dead VM again changes nothing. Logged and
         *     replayed like every state change. Takes no request body.
         */
        post: operations["markVmDead"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/vms/{vmId}/capabilities": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The VM's id, as `POST /v1/vms` returned it. */
                vmId: components["parameters"]["VmId"];
            };
            cookie?: never;
        };
        /**
         * KVM_CHECK_EXTENSION(KVM_CAP_PRE_FAULT_MEMORY)
         * @description 1 when the host has TDP enabled, for every VM type and policy; 0 with shadow paging.
         */
        get: operations["getCapabilities"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/vms/{vmId}/memslots": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The VM's id, as `POST /v1/vms` returned it. */
                vmId: components["parameters"]["VmId"];
            };
            cookie?: never;
        };
        /**
         * List memslots
         * @description Every memslot of both address spaces (1 is the SMM address space).
         */
        get: operations["listMemslots"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/vms/{vmId}/memslots/{addressSpace}/{slot}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The VM's id, as `POST /v1/vms` returned it. */
                vmId: components["parameters"]["VmId"];
                /**
                 * @description Memslot address space (the upper 16 bits of the ioctl's slot); 1 is SMM. Others give EINVAL.
                 * @example 0
                 */
                addressSpace: components["parameters"]["AddressSpace"];
                /**
                 * @description Slot id within the address space (the lower 16 bits of the ioctl's slot).
                 * @example 10
                 */
                slot: components["parameters"]["Slot"];
            };
            cookie?: never;
        };
        get?: never;
        /**
         * Create or change a memslot (KVM_SET_USER_MEMORY_REGION2)
         * @description A slot the kernel would reject (overlap, misalignment, an address space or slot id
         *     out of range, ...) is answered 200 with the errno and `memslot: null`.
         */
        put: operations["putMemslot"];
        post?: never;
        /**
         * Delete a memslot
         * @description KVM_SET_USER_MEMORY_REGION2 with size 0. The kernel zaps the slot's SPTEs.
         */
        delete: operations["deleteMemslot"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/vms/{vmId}/memory-attributes": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The VM's id, as `POST /v1/vms` returned it. */
                vmId: components["parameters"]["VmId"];
            };
            cookie?: never;
        };
        /**
         * List memory attribute ranges
         * @description The ranges whose attributes were set, in address order (everything else is shared).
         */
        get: operations["listMemoryAttributes"];
        /**
         * Set a range private or shared (KVM_SET_MEMORY_ATTRIBUTES)
         * @description Changing attributes zaps the affected SPTEs in every root.
         */
        put: operations["setMemoryAttributes"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/vms/{vmId}/vcpus": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The VM's id, as `POST /v1/vms` returned it. */
                vmId: components["parameters"]["VmId"];
            };
            cookie?: never;
        };
        /**
         * List vCPUs
         * @description Every vCPU with its mode and current MMU.
         */
        get: operations["listVcpus"];
        put?: never;
        /**
         * Create a vCPU (KVM_CREATE_VCPU)
         * @description A vCPU id that already exists is a 409.
         */
        post: operations["createVcpu"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/vms/{vmId}/vcpus/{vcpuId}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The VM's id, as `POST /v1/vms` returned it. */
                vmId: components["parameters"]["VmId"];
                /**
                 * @description The vCPU id given at creation.
                 * @example 0
                 */
                vcpuId: components["parameters"]["VcpuId"];
            };
            cookie?: never;
        };
        /**
         * Get a vCPU
         * @description The vCPU's mode and its current MMU (`mmu.kind`, and the root role for a TDP MMU).
         */
        get: operations["getVcpu"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /**
         * Change a vCPU's mode
         * @description A mode change as KVM_SET_VCPU_EVENTS (SMM), KVM_SET_NESTED_STATE (guest mode) or
         *     KVM_SET_CPUID2 (MAXPHYADDR) would make it. Give any of the four fields. The vCPU
         *     gets a new root role; old roots survive.
         */
        patch: operations["patchVcpu"];
        trace?: never;
    };
    "/v1/vms/{vmId}/vcpus/{vcpuId}/pre-fault": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The VM's id, as `POST /v1/vms` returned it. */
                vmId: components["parameters"]["VmId"];
                /**
                 * @description The vCPU id given at creation.
                 * @example 0
                 */
                vcpuId: components["parameters"]["VcpuId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * KVM_PRE_FAULT_MEMORY
         * @description Maps `[gpa, gpa + size)` into the root the vCPU's role selects (per the VM's
         *     `prefaultPolicy`), as `kvm_vcpu_pre_fault_memory` would. The answer is always 200:
         *     `ret`/`errno` are the ioctl's, `range` is the struct as copied back (what is left),
         *     `iterations` the x86 steps taken (runs of identical steps merged), `mapped` the leaf
         *     SPTEs this call installed. `inject` simulates signals.
         */
        post: operations["preFault"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/vms/{vmId}/vcpus/{vcpuId}/access": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The VM's id, as `POST /v1/vms` returned it. */
                vmId: components["parameters"]["VmId"];
                /**
                 * @description The vCPU id given at creation.
                 * @example 0
                 */
                vcpuId: components["parameters"]["VcpuId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * A guest access (a real TDP page fault)
         * @description The running guest touches `gpa`: the vCPU's real MMU takes the fault (under every
         *     policy), setting Accessed, and Dirty on a write. Answers like a pre-fault, without
         *     `range`, plus the KVM_RUN exit userspace would see. Accesses are simulated on TDP
         *     MMUs only: a vCPU whose current MMU is not one (`mmu.kind` of `GET
         *     /v1/vms/{vmId}/vcpus/{vcpuId}`: `shadow` with TDP off, `nested-tdp-shadow` in guest
         *     mode with nested TDP) is a 409 until its mode changes.
         */
        post: operations["guestAccess"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/vms/{vmId}/roots": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The VM's id, as `POST /v1/vms` returned it. */
                vmId: components["parameters"]["VmId"];
            };
            cookie?: never;
        };
        /**
         * List TDP roots
         * @description Every root with its role, the vCPUs that have it loaded, and leaf/table counts.
         */
        get: operations["listRoots"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/vms/{vmId}/roots/{rootId}/mappings": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The VM's id, as `POST /v1/vms` returned it. */
                vmId: components["parameters"]["VmId"];
                /** @description A root id from `GET /v1/vms/{vmId}/roots`. */
                rootId: components["parameters"]["RootId"];
            };
            cookie?: never;
        };
        /**
         * List leaf SPTEs of a root
         * @description Leaf SPTEs in GPA order within `[from, to)`. Runs of adjacent leaves of the same
         *     level, kind and bits whose host pfns are contiguous (or that all map the zero page)
         *     coalesce into one row whose `hostPfn` is the first leaf's.
         */
        get: operations["listMappings"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/vms/{vmId}/roots/{rootId}/walk": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The VM's id, as `POST /v1/vms` returned it. */
                vmId: components["parameters"]["VmId"];
                /** @description A root id from `GET /v1/vms/{vmId}/roots`. */
                rootId: components["parameters"]["RootId"];
            };
            cookie?: never;
        };
        /**
         * Walk a root's page tables for one address
         * @description The entries a hardware walk of `gpa` visits, from the root down to the leaf (or the first non-present entry).
         */
        get: operations["walkRoot"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/vms/{vmId}/operations": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The VM's id, as `POST /v1/vms` returned it. */
                vmId: components["parameters"]["VmId"];
            };
            cookie?: never;
        };
        /**
         * The VM's operation log
         * @description Every state-changing call the VM accepted, in the order it was applied (`seq` 1, 2,
         *     ...), with its result. Replaying these operations on a fresh VM of the same
         *     configuration reproduces the VM exactly; the service does so on start-up.
         */
        get: operations["listOperations"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/vms/{vmId}/operations/{seq}/trace": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The VM's id, as `POST /v1/vms` returned it. */
                vmId: components["parameters"]["VmId"];
                /** @description The log entry's `seq`. */
                seq: number;
            };
            cookie?: never;
        };
        /**
         * The KVM tracepoints a logged pre-fault or access would emit
         * @description The events of `arch/x86/kvm/mmu/mmutrace.h` (`kvm_mmu_spte_requested`,
         *     `kvm_tdp_mmu_spte_changed`, `kvm_mmu_set_spte`, `kvm_mmu_split_huge_page`,
         *     `fast_page_fault`) that the logged operation `seq` produced, as `trace-cmd report`
         *     prints them, to hold against `trace-cmd record -e kvmmmu` on a real host. Computed
         *     by replaying the log up to `seq` inside the engine (a worker thread when the server
         *     has them). docs/tracing.md says what is and is not emitted. An entry that is not a
         *     pre-fault or access is a 400 (`field` `seq`).
         *
         *     One answer holds at most 10,000 events. Without `offset` and `limit` the whole trace
         *     is answered when it fits, else 413 with the number of events; with either, events
         *     `offset` to `offset + limit - 1` are answered (each line keeps its place in the whole
         *     trace: its microseconds are its index). `X-Trace-Events` gives the total either way.
         */
        get: operations["getOperationTrace"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/vms/{vmId}/export": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The VM's id, as `POST /v1/vms` returned it. */
                vmId: components["parameters"]["VmId"];
            };
            cookie?: never;
        };
        /**
         * Export the VM as a neutral scenario
         * @description The VM's configuration and operation log in the neutral scenario format of the spec's
         *     examples (`docs/scenario-format.md`): memslots, attributes, mode changes,
         *     pre-faults and accesses become `steps`, each carrying the outcome this service
         *     observed as its `expect`; `expected_final_state` lists every root and leaf. The
         *     file runs in the repository's scenario runner and imports with `POST /v1/vms/import`.
         *     A VM whose log has more entries than one import applies (10,000) is a 413.
         */
        get: operations["exportVm"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/vms/import": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create a VM by replaying a scenario
         * @description Creates a VM from a neutral scenario (an export, or one of the spec's examples) and
         *     applies its memslots, attributes, vCPUs and steps in order, each logged like any
         *     call. The answer lists the steps whose outcome differs from the scenario's `expect`
         *     (`differing`, empty when the replay matches) and the steps that have no operation
         *     here (`skipped`, e.g. `check_extension`). An operation the service refuses (e.g. an
         *     unknown vCPU) is reported as a differing step; the replay goes on.
         *
         *     Bounds, checked before any VM is created: a `guest_access` step covers at most 4,096
         *     pages of 4 KiB (each page is one logged access), and an import applies at most 10,000
         *     operations in all (each memslot, attribute range, vCPU and other step is one). Past
         *     either, a 400 whose `field` names the step (`steps[3].size`, `steps[7]`).
         */
        post: operations["importVm"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/labs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List the labs
         * @description The lab catalogue (`labs/*.yaml`), each with its learning goal and the spec sections it is about.
         */
        get: operations["listLabs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/labs/{labId}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description A lab id from `GET /v1/labs`.
                 * @example huge-pages
                 */
                labId: components["parameters"]["LabId"];
            };
            cookie?: never;
        };
        /**
         * Get a lab
         * @description The lab as written: its VMs' set-up (contract field names) and numbered tasks. Each
         *     task lists the exact calls to make, with `{vm:<name>}` standing for the id of that
         *     session VM, and the checks that grade it (read from engine state and the server's
         *     operation log, never from what a client reports), each with the hint shown while it
         *     does not pass.
         *     A student token (tokens on) gets the lab without its checks, and without the calls
         *     and explanation of tasks that ask for predictions (the session view reveals them
         *     once predicted).
         */
        get: operations["getLab"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/labs/{labId}/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description A lab id from `GET /v1/labs`.
                 * @example huge-pages
                 */
                labId: components["parameters"]["LabId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start a lab session (once per student)
         * @description Creates the lab's VMs (named `<labId>:<name>`) and applies their set-up (memslots,
         *     memory attributes, vCPUs, finalisation) as logged operations, exactly as if they had
         *     been called one by one. Use the returned VM ids in place of `{vm:<name>}`; each VM's
         *     `role` is its name in the lab (e.g. `upstream`, `switch-root-mmu`,
         *     `reject-smm-guest-mode`). The session survives a restart.
         *
         *     **Once per student.** Starting a lab the student already started answers 200 with
         *     that session (nothing is created); a new session answers 201. The student is the
         *     token when tokens are on. Without tokens the caller says who it is: `student` (a
         *     name: the same name is the same student) or `client` (an id the caller keeps: the
         *     lab page makes one per browser; a script sends any stable id, e.g. a UUID). Neither
         *     is a 400: there is no shared anonymous session.
         *     `mode` `predict` hides each predicting task's calls until its prediction is stored,
         *     and its explanation and check hints until the predicted calls have run after it;
         *     `guided` (default for a new session) shows everything. Asking for the other mode of
         *     an existing session is a 409 `conflict` (a Start without `mode` opens it as it is;
         *     `.../reset` with `{"mode": ...}` starts over in the other mode).
         */
        post: operations["createLabSession"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/labs/{labId}/sessions/{sessionId}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description A lab id from `GET /v1/labs`.
                 * @example huge-pages
                 */
                labId: components["parameters"]["LabId"];
                /** @description The `sessionId` that starting the session returned. */
                sessionId: components["parameters"]["SessionId"];
            };
            cookie?: never;
        };
        /**
         * Get a lab session
         * @description The session as the lab page shows it: its VMs by role, and per task the prompt, the
         *     calls (hidden in predict mode until the task's prediction is stored), the
         *     explanation (in predict mode only once the predicted calls have run after the
         *     prediction), what it asks to predict, whether it passed (a passed task stays passed)
         *     and the prediction with when it was made, graded once its calls have run.
         */
        get: operations["getLabSession"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/labs/{labId}/sessions/{sessionId}/reset": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description A lab id from `GET /v1/labs`.
                 * @example huge-pages
                 */
                labId: components["parameters"]["LabId"];
                /** @description The `sessionId` that starting the session returned. */
                sessionId: components["parameters"]["SessionId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Reset a lab session
         * @description Deletes the session's VMs and creates them afresh (same roles, same set-up), and
         *     clears its progress and predictions: the way to predict again. The session id stays.
         *     `mode` starts over in that mode (default: the session's own).
         */
        post: operations["resetLabSession"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/labs/{labId}/sessions/{sessionId}/tasks/{n}/prediction": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description A lab id from `GET /v1/labs`.
                 * @example huge-pages
                 */
                labId: components["parameters"]["LabId"];
                /** @description The `sessionId` that starting the session returned. */
                sessionId: components["parameters"]["SessionId"];
                /** @description The task number. */
                n: number;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Predict a task's outcome
         * @description Stores what the student expects the task's call to do, before making it: `ret`
         *     (0 or -errno: `-22`, `"EINVAL"` and `"-EINVAL"` are the same answer; `errno` is
         *     accepted for it too), `rootRole` (`{smm, guestMode, level?}`, or null for "no
         *     root"), `level` (of the leaf the first iteration installs or finds) and
         *     `iterations` (how many). Every field the task asks for, and only those, at once. The
         *     prediction is graded against the first such call the VM logs **after** it (a call
         *     made before does not count).
         *     **The first prediction is the graded one.** Sending the same prediction again
         *     answers the stored one; a different one is a 409 `conflict` (a reset starts the
         *     session over, predictions included).
         */
        post: operations["predictLabTask"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/labs/{labId}/sessions/{sessionId}/check": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description A lab id from `GET /v1/labs`.
                 * @example huge-pages
                 */
                labId: components["parameters"]["LabId"];
                /** @description The `sessionId` that starting the session returned. */
                sessionId: components["parameters"]["SessionId"];
            };
            cookie?: never;
        };
        /**
         * Check a lab session
         * @description Grades every task of the lab against the session VMs and their logs as they are now:
         *     a task passes when all its checks pass, and **stays passed** once it has (a later
         *     exploratory call cannot un-pass it). A check that does not pass yet carries its
         *     `hint` (not once its task passed), and `detail` says what the engine state shows.
         *     Predictions come back graded against what the simulated kernel did. In predict mode
         *     a predicting task's hints and details are withheld (`withheld: true`) until its
         *     predicted calls have run after its prediction.
         */
        get: operations["checkLabSession"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/teacher/progress": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Every student's lab sessions and quiz scores (teachers only)
         * @description Per student: their lab sessions (mode; per task whether and when it passed, and its
         *     prediction: what, when, and whether it was right once its calls ran) and per quiz
         *     their first, best and last attempt and how many. `assignments`: per assignment, every
         *     student's grade (every student token, started or not; on an open server every student
         *     who did anything): tasks passed by the deadline, or the best counted quiz attempt.
         *     With tokens on, only a teacher token (`TEACHER_TOKENS`) may call it (403 otherwise);
         *     an open server has no roles and answers everyone. The page `/ui/teacher.html` shows it.
         */
        get: operations["getTeacherProgress"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/teacher/progress.csv": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Every student's progress as CSV (teachers only)
         * @description The progress of `GET /v1/teacher/progress` as CSV (RFC 4180: CRLF line ends, fields
         *     with a comma, a quote or a line break quoted, quotes doubled) for a spreadsheet: a
         *     header row, then one row per student and assignment, then one row per student and lab
         *     session and per student and quiz that no assignment covers. Columns:
         *     `student` (the roster name of the token, else the label of the progress view),
         *     `kind` (`lab` or `quiz`), `item` (the lab id, or the quiz topic), `id` (the session or
         *     quiz id), `mode` (a lab's), `started_at` (the session's start, the first quiz attempt),
         *     `score` (tasks passed; the best quiz score), `out_of` (the lab's tasks; the quiz's
         *     questions), `predicted` and `predicted_right` (a lab's tasks with a prediction, and
         *     those whose prediction was right once its calls ran), `attempts`, `first_score` and
         *     `last_score` (a quiz's), `last_at` (the last task passed; the last quiz attempt),
         *     `assignment` and `assignment_id` (an assignment row's title and id), `deadline`,
         *     `counted` (quiz attempts that count) and `late` (tasks passed or attempts made after
         *     the deadline). In an assignment row `score` is the grade.
         *     Empty fields do not apply to the row's kind. Text that a spreadsheet would take for a
         *     formula (starting with `=`, `+`, `-` or `@`) starts with an apostrophe. Same access as
         *     the JSON view: a teacher token with tokens on (403 otherwise).
         */
        get: operations["getTeacherProgressCsv"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/teacher/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Delete students' lab sessions and their VMs (teachers only)
         * @description Deletes the lab sessions that match every filter given (at least one), with their
         *     progress and predictions, and removes their VMs. `student` is a student as the
         *     progress view lists them: the roster name of their token, the label it shows
         *     (`token:…`, `client:…`, a name given at Start), or the student's key (a token's
         *     sha256, `open:<name>`, `client:<id>`). `before` deletes sessions started before that
         *     time. A student whose session is deleted gets a fresh one at their next Start. Quiz
         *     attempts stay. With tokens on, only a teacher token may call it (403 otherwise).
         */
        delete: operations["deleteTeacherSessions"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/quizzes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Generate a quiz
         * @description A reproducible quiz in the spirit of OSTEP's homework generators: `topic` and `seed`
         *     draw a set-up (host, VM, memslots, vCPUs) and 3 to 6 questions phrased as API calls;
         *     the same topic and seed always give the same quiz. The answer key is computed by
         *     running the simulator on the set-up. Without `seed` the service picks one.
         */
        post: operations["createQuiz"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/quizzes/{quizId}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The `id` that generating the quiz returned. */
                quizId: components["parameters"]["QuizId"];
            };
            cookie?: never;
        };
        /**
         * Get a quiz
         * @description The quiz as generated (regenerated from its topic and seed), without its answers.
         */
        get: operations["getQuiz"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/quizzes/{quizId}/answers": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The `id` that generating the quiz returned. */
                quizId: components["parameters"]["QuizId"];
            };
            cookie?: never;
        };
        /**
         * The quiz's answer key (teachers only when tokens are on)
         * @description Each question's answer, as the simulator computed it, with a one-line explanation.
         *     With tokens on, only a teacher token may read it (403 for a student token); an open
         *     server shows it to everyone. A submission tells a student only which answers were
         *     right.
         */
        get: operations["getQuizAnswers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/quizzes/{quizId}/submissions": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The `id` that generating the quiz returned. */
                quizId: components["parameters"]["QuizId"];
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Grade answers to a quiz
         * @description Grades `answers` (question id -> answer) against the key: a choice must equal the
         *     key's text (an ioctl outcome may be spelled `-22`, `EINVAL` or `-EINVAL`), a u64 may
         *     be spelled in hex or decimal, an integer must be equal. Missing answers count as
         *     wrong. The answer says per question whether it was right; the key (`expected`,
         *     `explanation`) comes back only to a teacher token. Every attempt is stored with its
         *     time for the teacher's view, under the token (tokens on), else under `student` or
         *     `client` (one of them is required without tokens, as for lab sessions).
         */
        post: operations["submitQuiz"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/assignments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List the assignments
         * @description Every assignment, oldest first, for every token (students and teachers alike).
         */
        get: operations["listAssignments"];
        put?: never;
        /**
         * Create an assignment (teachers only)
         * @description Hands a lab (in one mode) or a quiz (a topic and seed) out to every student, with an
         *     optional `deadline`. A quiz assignment generates its own quiz and says when a student
         *     sees its key (`reveal`: `after-first-submission`, `after-deadline` or `never`, the
         *     default) and how many attempts count (`attemptsCounted`: the first N, the best of
         *     them is the grade; default all). `after-first-submission` counts one attempt only (a
         *     student who saw the key cannot resubmit for marks), and `after-deadline` needs a
         *     deadline. With tokens on only a teacher token may create one (403 otherwise).
         */
        post: operations["createAssignment"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/assignments/{assignmentId}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The `id` that creating the assignment returned. */
                assignmentId: string;
            };
            cookie?: never;
        };
        /**
         * Get an assignment
         * @description The assignment; a quiz assignment's key (`answers`) comes with it once the caller may
         *     read it: a teacher token always, a student after their first submission
         *     (`after-first-submission`) or once the deadline has passed (`after-deadline`).
         */
        get: operations["getAssignment"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/assignments/{assignmentId}/start": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The assignment's `id`. */
                assignmentId: string;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start an assignment (under the caller's own token)
         * @description A lab assignment starts the caller's session of its lab in the assignment's mode,
         *     as `POST /v1/labs/{labId}/sessions` does: 201 with a new session, 200 with the one
         *     the student already has; a session of the lab in the other mode is a 409 `conflict`
         *     (reset it in the assignment's mode to go on). A quiz assignment answers its quiz
         *     (without the key): answer it with `POST /v1/assignments/{assignmentId}/submissions`.
         *     Without tokens the caller says who it is (`student` or `client`), as for a lab Start.
         */
        post: operations["startAssignment"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/assignments/{assignmentId}/submissions": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The assignment's `id` (a quiz assignment). */
                assignmentId: string;
            };
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Answer a quiz assignment
         * @description Grades `answers` as `POST /v1/quizzes/{quizId}/submissions` does and stores the
         *     attempt with its time. `attempt` numbers it (1 the first); `counted` says whether it
         *     counts for the grade (within the first `attemptsCounted`, and not after the
         *     deadline: a late attempt is stored and shown to the teacher, not counted). The key
         *     (`expected`, `explanation` per question) comes back when the assignment reveals it
         *     to the caller (`keyRevealed`). A lab assignment has no submissions: 409.
         */
        post: operations["submitAssignment"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The page-table viewer
         * @description A browser UI over this API (plain ES modules from `/ui/`): VMs, vCPUs, roots, a
         *     picture of each root's leaves, pre-fault and access forms, and the labs.
         */
        get: operations["getUi"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ui/{file}": {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A file of the viewer (`app.js`, `style.css`, `favicon.svg`, ...). */
                file: string;
            };
            cookie?: never;
        };
        /**
         * A file of the page-table viewer
         * @description The viewer's ES modules, style sheet and page.
         */
        get: operations["getUiFile"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/healthz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Liveness
         * @description 200 while the process is up.
         */
        get: operations["healthz"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/readyz": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Readiness
         * @description 200 once the database is reachable and every VM has been rebuilt from its log; 503 before that.
         */
        get: operations["readyz"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Metrics (Prometheus text)
         * @description Prometheus text exposition format 0.0.4: request latency histograms per route (`http_request_duration_seconds`), per engine worker the calls queued (`engine_queue_depth`), in flight, VMs, busy time (`engine_busy_seconds_total`) and restarts, the calls refused by the queue bounds, and Node's process metrics. Open unless the server was started with `METRICS_TOKEN`: then only `Authorization: Bearer <METRICS_TOKEN>` reads it (API tokens do not). Rate-limited per client like the API.
         */
        get: operations["getMetrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openapi.yaml": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * This document (YAML)
         * @description The source this service derives its routes and request validation from.
         */
        get: operations["getOpenApiYaml"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * This document (JSON)
         * @description The same document as JSON.
         */
        get: operations["getOpenApiJson"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        /**
         * U64
         * @description A 64-bit unsigned value: a JSON integer up to 2^53-1, or a "0x..." hex or decimal string up to 2^64-1.
         * @example 0x100000000
         * @example 4096
         */
        U64: number | string;
        /**
         * U64
         * @description A 64-bit unsigned value in a query string: "0x..." hex or decimal digits, up to 2^64-1.
         */
        U64Query: string;
        /**
         * @description A 64-bit value as returned, lower-case hex.
         * @example 0x200000
         */
        Hex: string;
        /** @enum {string} */
        LevelName: "4K" | "2M" | "1G";
        /**
         * @description The errno name of a failed simulated ioctl, or null.
         * @enum {string|null}
         */
        Errno: "EINVAL" | "ENOENT" | "EOPNOTSUPP" | "EINTR" | "EIO" | "EFAULT" | "EAGAIN" | "ENOMEM" | "EEXIST" | "ENOTTY" | "ENOEXEC" | "EHWPOISON" | null;
        /** @description The ioctl's return value, 0 or -errno (EINVAL -22, ENOENT -2, EOPNOTSUPP -95, EINTR -4, EIO -5, EFAULT -14, EAGAIN -11, ENOTTY -25, ENOEXEC -8, EHWPOISON -133). */
        Ret: number;
        /** @description RFC 9457 problem details. */
        Problem: {
            /** @description urn:prefault-lab:problem:<kind> (invalid-input, unauthorized, forbidden, not-found, method-not-allowed, request-timeout, conflict, payload-too-large, response-too-large, unsupported-media-type, limit-exceeded, rate-limited, not-ready, overloaded, storage-failure, owner-unreachable, owner-timeout, internal) */
            type: string;
            title: string;
            status: number;
            detail: string;
            /** @description For 400s: the failing input, as a dotted path into the body, or the name of a path or query parameter (e.g. "gpa", "host.vendor", "padding[2]", "vcpuId"). */
            field?: string;
            /** @description The request path. */
            instance?: string;
        };
        HostConfigInput: {
            /**
             * @description intel (EPT) | amd (NPT)
             * @default intel
             * @enum {string}
             */
            vendor?: "intel" | "amd";
            /**
             * @description kvm_intel.ept / kvm_amd.npt; false = shadow paging
             * @default true
             */
            tdp?: boolean;
            /**
             * @description kvm.tdp_mmu
             * @default true
             */
            tdpMmu?: boolean;
            /**
             * @description Intel: 4, or 5 with 5-level EPT
             * @default 4
             * @enum {integer}
             */
            maxTdpLevel?: 4 | 5;
            /**
             * @description AMD: host paging level (5 with LA57); forces the NPT root level
             * @default 4
             * @enum {integer}
             */
            pagingLevel?: 4 | 5;
            /**
             * @description host MAXPHYADDR; above 48 with 4-level EPT/NPT KVM caps the guest's addressable width at 48 (VM guestPhysBits)
             * @default 46
             */
            maxPhysAddr?: number;
            /**
             * @description EPT accessed/dirty bits (AMD: always true)
             * @default true
             */
            adBits?: boolean;
            /**
             * @description the iTLB-multihit mitigation
             * @default false
             */
            nxHugePages?: boolean;
            /**
             * @description largest leaf the hardware supports
             * @default 1G
             * @enum {string}
             */
            maxHugePageLevel?: "2M" | "1G";
            /**
             * @description kvm.enable_mmio_caching
             * @default true
             */
            mmioCaching?: boolean;
            /** @default true */
            eagerPageSplit?: boolean;
        };
        HostConfig: {
            /** @enum {string} */
            vendor: "intel" | "amd";
            tdp: boolean;
            tdpMmu: boolean;
            /** @enum {integer} */
            maxTdpLevel: 4 | 5;
            /** @enum {integer} */
            pagingLevel: 4 | 5;
            maxPhysAddr: number;
            adBits: boolean;
            nxHugePages: boolean;
            /** @enum {string} */
            maxHugePageLevel: "2M" | "1G";
            mmioCaching: boolean;
            eagerPageSplit: boolean;
        };
        /**
         * @description x86: every value but ucontrol; arm64: default; s390: default or ucontrol (KVM_VM_S390_UCONTROL).
         * @enum {string}
         */
        VmType: "default" | "sw_protected" | "sev" | "sev_es" | "sev_snp" | "tdx" | "ucontrol";
        /**
         * @description The VM's architecture (contract v2).
         * @enum {string}
         */
        Arch: "x86" | "arm64" | "s390";
        /**
         * @description The kernel version whose behaviour is simulated. An x86 VM takes every value; from 6.19 on
         *     it answers as 6.18 does, except that failure reasons name `kvm_tdp_page_prefault`, which
         *     6.19 renamed from `kvm_tdp_map_page` (kvm-prefault-spec-part2.md §17).
         * @enum {string}
         */
        KernelVersion: "6.11" | "6.12" | "6.13" | "6.14" | "6.15" | "6.16" | "6.17" | "6.18" | "6.19" | "7.0" | "7.1" | "7.2" | "7.3" | "7.4";
        /**
         * @description upstream (merged) | switch-root-mmu (v2 patch: always populate L1 GPA) | reject-smm-guest-mode (follow-up: EOPNOTSUPP in SMM or guest mode)
         * @enum {string}
         */
        PrefaultPolicy: "upstream" | "switch-root-mmu" | "reject-smm-guest-mode";
        VmCreate: {
            /** @description No control characters (PostgreSQL text cannot hold NUL). */
            name: string;
            /** @description `x86` when absent (the VM view always says it). */
            arch?: components["schemas"]["Arch"];
            /** @default default */
            type?: components["schemas"]["VmType"];
            /** @description The host knobs of the VM's arch (x86 v1's; arm64 and s390 in their own schemas). A knob of another arch is a 400 naming it. */
            host?: components["schemas"]["HostConfigInput"] | components["schemas"]["Arm64HostConfigInput"] | components["schemas"]["S390HostConfigInput"];
            arm64?: components["schemas"]["Arm64VmInput"];
            s390?: components["schemas"]["S390VmInput"];
            /**
             * @description x86: every value (default 6.18); arm64 and s390: 7.0 … 7.4 (default 7.4).
             * @default 6.18
             */
            kernel?: components["schemas"]["KernelVersion"];
            /** @default upstream */
            prefaultPolicy?: components["schemas"]["PrefaultPolicy"];
            /**
             * @description KVM_CAP_DISABLE_QUIRKS2 at creation: quirk names without the `KVM_X86_QUIRK_` prefix.
             *     `SLOT_ZAP_ALL` (6.12+): deleting or moving a memslot zaps only that slot's leaf SPTEs
             *     and keeps the page tables above them (`kvm_mmu_zap_memslot_leafs`), even for a
             *     `default` VM. A quirk the chosen kernel does not have is a 400 naming `quirksDisabled`.
             * @default []
             */
            quirksDisabled?: components["schemas"]["QuirkName"][];
            /**
             * @description `tdx` VMs only: the TD's guest physical address width, as userspace passes it to
             *     `KVM_TDX_INIT_VM` (CPUID 0x80000008 EAX[23:16]); default 48 ("GPAW-48 is always
             *     supported"). It sets the TD's shared bit (47 for 48, 51 for 52) and its root level
             *     (`kvm_mmu_get_tdp_level`: 5 for GPAW 52). 52 without 5-level EPT (`host.maxTdpLevel` 4),
             *     or the field on a VM that is not `tdx`, is a 400 naming `tdxGpaw`
             *     (`vmx/tdx.c:setup_tdparams_eptp_controls`). A memslot reaching the shared bit answers EINVAL.
             */
            tdxGpaw?: components["schemas"]["TdxGpaw"];
        };
        /** @enum {integer} */
        TdxGpaw: 48 | 52;
        /** @enum {string} */
        QuirkName: "SLOT_ZAP_ALL";
        Vm: {
            id: string;
            arch: components["schemas"]["Arch"];
            name: string;
            type: components["schemas"]["VmType"];
            host: components["schemas"]["HostConfig"] | components["schemas"]["Arm64HostConfig"] | components["schemas"]["S390HostConfig"];
            arm64?: components["schemas"]["Arm64VmView"];
            s390?: components["schemas"]["S390VmView"];
            kernel: components["schemas"]["KernelVersion"];
            prefaultPolicy: components["schemas"]["PrefaultPolicy"];
            quirksDisabled: components["schemas"]["QuirkName"][];
            /** @description `tdx` VMs only (absent otherwise): the GPAW the TD was created with. */
            tdxGpaw?: components["schemas"]["TdxGpaw"];
            /** Format: date-time */
            createdAt: string;
            /** @description kvm->arch.pre_fault_allowed: false for SNP/TDX until finalised. arm64/s390: false when no pre-fault can succeed (arm64 before 7.4 or pKVM, s390 before 7.2 or ucontrol). */
            preFaultAllowed: boolean;
            /** @description kvm->vm_dead: set by POST …/mark-dead (kvm_vm_dead() after a KVM_BUG_ON), irreversible. Every ioctl then answers ret -5 (EIO). */
            dead: boolean;
            /**
             * @description KVM_GET_SUPPORTED_CPUID 0x80000008 EAX[23:16] (GuestPhysBits): the widest GPA this host's
             *     TDP can map: the host MAXPHYADDR, capped at 48 without 5-level EPT/NPT; 0 without TDP.
             *     arm64: the VM's IPA size; s390: the bits the gmap's ASCE reaches (31, 42, 53 or 64).
             */
            guestPhysBits: number;
        };
        VmList: {
            vms: components["schemas"]["Vm"][];
            nextCursor: string | null;
        };
        /**
         * @description Leaf, table and host backing sizes of all three arches: x86 4K/2M/1G; arm64 4K/2M/1G (4K granule), 16K/32M (16K), 64K/512M (64K), and as hugetlbfs backing only 64K/32M (4K), 2M/1G (16K), 2M/16G (64K: 16G is CONT_PMD, mapped at most 512M); s390 4K/1M/2G.
         * @enum {string}
         */
        ArchLevelName: "4K" | "16K" | "64K" | "1M" | "2M" | "32M" | "512M" | "1G" | "2G" | "16G";
        /** @description An arm64 host (every field optional). */
        Arm64HostConfigInput: {
            /**
             * @description host PAGE_SIZE, also the stage-2 granule
             * @default 4K
             * @enum {string}
             */
            granule?: "4K" | "16K" | "64K";
            /**
             * @description get_kvm_ipa_limit(); 52 with the 64K granule only
             * @default 48
             * @enum {integer}
             */
            ipaLimit?: 32 | 36 | 40 | 42 | 44 | 48 | 52;
            /**
             * @description kvm-arm.mode=protected
             * @default false
             */
            pkvm?: boolean;
            /**
             * @description kvm-arm.mode=nested: vCPUs may be created with EL2
             * @default false
             */
            nestedVirt?: boolean;
            /**
             * @description ARM64_HAS_STAGE2_FWB: how Normal memory is encoded in MemAttr
             * @default true
             */
            fwb?: boolean;
            /**
             * @description ARM64_HAS_CACHE_DIC: stage-2 leaves are executable (XN clear)
             * @default false
             */
            cacheDic?: boolean;
        };
        Arm64HostConfig: {
            /** @enum {string} */
            granule: "4K" | "16K" | "64K";
            ipaLimit: number;
            pkvm: boolean;
            nestedVirt: boolean;
            fwb: boolean;
            cacheDic: boolean;
        };
        /** @description An s390 host (every field optional). */
        S390HostConfigInput: {
            /**
             * @description kvm.hpage: 1M guest huge pages may be enabled
             * @default false
             */
            hpage?: boolean;
            /**
             * @description kvm.hpage_2g (7.2+): 2G guest huge pages; needs hpage
             * @default false
             */
            hpage2g?: boolean;
            /** @description SCLP hamax + 1: the default and largest memLimit (default 0x40000000000) */
            maxStorage?: components["schemas"]["U64"];
        };
        S390HostConfig: {
            hpage: boolean;
            hpage2g: boolean;
            maxStorage: components["schemas"]["Hex"];
        };
        /** @description arm64 VMs only: KVM_VM_TYPE_ARM_IPA_SIZE. */
        Arm64VmInput: {
            /**
             * @description 32 … host.ipaLimit (kvm_init_ipa_range)
             * @default 40
             */
            ipaBits?: number;
        };
        /** @description The stage-2 geometry (kvm_get_vtcr): e.g. 4K granule, 40 bits -> 3 levels from level 1 with 2 concatenated tables. */
        Arm64VmView: {
            ipaBits: number;
            stage2Levels: number;
            startLevel: number;
            concatenatedTables: number;
        };
        /** @description s390 VMs only: KVM_CAP_S390_HPAGE_1M / _2G enabled, KVM_S390_VM_MEM_LIMIT_SIZE. */
        S390VmInput: {
            /**
             * @description needs host.hpage; not on a ucontrol VM
             * @default false
             */
            hpage1m?: boolean;
            /**
             * @description needs host.hpage2g; not on a ucontrol VM
             * @default false
             */
            hpage2g?: boolean;
            /** @description 1M … host.maxStorage (default host.maxStorage) */
            memLimit?: components["schemas"]["U64"];
        };
        S390VmView: {
            hpage1m: boolean;
            hpage2g: boolean;
            memLimit: components["schemas"]["Hex"];
            /**
             * @description The gmap top table (gmap_limit_to_type): segment if memLimit <= 2G, region3 <= 4T, region2 <= 8P, else region1; null on a ucontrol VM.
             * @enum {string|null}
             */
            asceType: "segment" | "region3" | "region2" | "region1" | null;
        };
        AnyVcpuView: components["schemas"]["VcpuView"] | components["schemas"]["Arm64VcpuView"] | components["schemas"]["S390VcpuView"];
        Arm64VcpuView: {
            id: number;
            initialized: boolean;
            el2: boolean;
            lastRanNested: boolean;
            mmu: components["schemas"]["ArchVcpuMmu"];
            /** @description The stage-2 its hw_mmu points at: the canonical one, or its nested one while lastRanNested. */
            loadedRoot: string;
        };
        S390VcpuView: {
            id: number;
            mmu: components["schemas"]["ArchVcpuMmu"];
            /** @description The VM gmap; null on a ucontrol VM. */
            loadedRoot: string | null;
        };
        ArchVcpuMmu: {
            /** @enum {string} */
            kind: "s2-canonical" | "s2-nested" | "gmap";
            rootRole: null;
        };
        /** @description An arm64 or s390 memslot (address space 0 only). */
        ArchMemslotView: {
            /** @enum {integer} */
            addressSpace: 0;
            slot: number;
            guestPhysAddr: components["schemas"]["Hex"];
            size: components["schemas"]["Hex"];
            userspaceAddr: components["schemas"]["Hex"];
            flags: components["schemas"]["MemslotFlag"][];
            guestMemfdOffset: components["schemas"]["Hex"];
            backing: {
                pageSize: components["schemas"]["ArchLevelName"];
                hugetlb: boolean;
                hwpoison: components["schemas"]["Hex"][];
                writable: boolean;
                mapped: boolean;
            };
        };
        ArchIterationRow: {
            gpa: components["schemas"]["Hex"];
            /** @enum {string} */
            result: "FIXED" | "SPURIOUS" | "ERROR";
            level: components["schemas"]["ArchLevelName"] | null;
            consumed: components["schemas"]["Hex"];
            count: number;
            errno: components["schemas"]["Errno"];
            reason?: string;
            /**
             * @description arm64 only: the synthetic fault status code, TRANSLATION_L0 … TRANSLATION_L3 (the level where the walk stopped); null on SPURIOUS rows and rows that failed before the walk.
             * @enum {string|null}
             */
            fsc?: "TRANSLATION_L0" | "TRANSLATION_L1" | "TRANSLATION_L2" | "TRANSLATION_L3" | null;
            /** @description arm64 only: fault attempts of the iteration (0: none). */
            attempts?: number;
        };
        Arm64ArchBits: {
            memAttr: number;
            s2apR: boolean;
            s2apW: boolean;
            sh: number;
            af: boolean;
            xn: boolean;
        };
        S390ArchBits: {
            i: boolean;
            p: boolean;
            iep: boolean;
            pr: boolean;
            y: boolean;
            w: boolean;
            d: boolean;
            sd: boolean;
            s: boolean;
        };
        /** @description An arm64 stage-2 or s390 gmap leaf run: dirty is null on arm64 (no DBM); archBits are the descriptor/entry bits and count for coalescing. */
        ArchMappingRow: {
            gpa: components["schemas"]["Hex"];
            size: components["schemas"]["Hex"];
            level: components["schemas"]["ArchLevelName"];
            count: number;
            /** @enum {string} */
            kind: "ram";
            /** @description In host pages (16K/64K units on such arm64 hosts). */
            hostPfn: components["schemas"]["Hex"];
            /** @enum {boolean} */
            private: false;
            writable: boolean;
            executable: boolean;
            accessed: boolean;
            dirty: boolean | null;
            archBits: components["schemas"]["Arm64ArchBits"] | components["schemas"]["S390ArchBits"];
        };
        ArchRootRef: {
            id: string;
            /** @description Table levels: arm64 2–4, s390 2–5. */
            level: number;
            smm: boolean;
            /** @description true for a nested stage-2 only */
            guestMode: boolean;
            addressSpace: number;
            adDisabled: boolean;
            mirror: boolean;
            /** @enum {string} */
            kind: "s2-canonical" | "s2-nested" | "gmap";
            /** @description arm64 */
            startLevel?: number;
            /**
             * @description arm64
             * @enum {string}
             */
            granule?: "4K" | "16K" | "64K";
            /** @description arm64 */
            ipaBits?: number;
            /** @description arm64 */
            concatenatedTables?: number;
            /**
             * @description s390
             * @enum {string}
             */
            asceType?: "segment" | "region3" | "region2" | "region1";
        };
        ArchRootView: {
            id: string;
            level: number;
            smm: boolean;
            guestMode: boolean;
            addressSpace: number;
            adDisabled: boolean;
            mirror: boolean;
            /** @enum {string} */
            kind: "s2-canonical" | "s2-nested" | "gmap";
            startLevel?: number;
            /** @enum {string} */
            granule?: "4K" | "16K" | "64K";
            ipaBits?: number;
            concatenatedTables?: number;
            /** @enum {string} */
            asceType?: "segment" | "region3" | "region2" | "region1";
            vcpus: number[];
            /** @description One key per leaf level of the VM, plus tables. */
            counts: {
                tables: number;
            } & {
                [key: string]: number;
            };
        };
        /** @description KVM_PRE_FAULT_MEMORY on an arm64 or s390 VM: v1 shape, with the arch rows (contract v2 "Pre-fault"). */
        ArchPreFaultResult: {
            ret: components["schemas"]["Ret"];
            errno: components["schemas"]["Errno"];
            reason?: string;
            range: {
                gpa: components["schemas"]["Hex"];
                size: components["schemas"]["Hex"];
                flags: components["schemas"]["Hex"];
            };
            iterations: components["schemas"]["ArchIterationRow"][];
            /** @description The canonical stage-2 (arm64, whatever the vCPU loaded) or the gmap (s390); null without iterations. */
            root: components["schemas"]["ArchRootRef"] | null;
            mapped: components["schemas"]["ArchMappingRow"][];
        };
        ArchWalkStep: {
            /** @description 1 = smallest page: arm64 4 - lookupLevel; s390 page 1 … region-1 5 */
            level: number;
            /** @description arm64 */
            lookupLevel?: number;
            /**
             * @description s390
             * @enum {string}
             */
            table?: "region1" | "region2" | "region3" | "segment" | "page";
            /** @description The entry index (arm64 first level: the concatenated tables count as one). */
            index: number;
            gpaBase: components["schemas"]["Hex"];
            /** @description The raw descriptor or entry. */
            spte: components["schemas"]["Hex"];
            present: boolean;
            leaf: boolean;
            mapping: components["schemas"]["ArchMappingRow"] | null;
        };
        ArchWalkResult: {
            root: components["schemas"]["ArchRootRef"];
            gpa: components["schemas"]["Hex"];
            steps: components["schemas"]["ArchWalkStep"][];
            leafLevel: components["schemas"]["ArchLevelName"] | null;
        };
        Capabilities: {
            /** @enum {integer} */
            KVM_CAP_PRE_FAULT_MEMORY: 0 | 1;
        };
        IoctlResult: {
            ret: components["schemas"]["Ret"];
            errno: components["schemas"]["Errno"];
            /** @description With a negative ret only: the kernel check that failed and the function it lives in. */
            reason?: string;
        };
        /** @enum {string} */
        MemslotFlag: "readonly" | "guest_memfd" | "log_dirty_pages";
        MemslotRequest: {
            guestPhysAddr: components["schemas"]["U64"];
            size: components["schemas"]["U64"];
            /** @description Default 1G-aligned, congruent with guestPhysAddr. */
            userspaceAddr?: components["schemas"]["U64"];
            flags?: components["schemas"]["MemslotFlag"][];
            guestMemfdOffset?: components["schemas"]["U64"];
            backing?: {
                /** @description Largest host leaf mapping this memory (THP / hugetlbfs); default the host page size (x86: 4K, 2M or 1G; arm64/s390 per contract v2). */
                pageSize?: components["schemas"]["ArchLevelName"];
                /** @description The host PTE is already writable (false: a read fault maps the zero page read-only); default true. */
                writable?: boolean;
                /** @description false: the hva range is not mapped (faults give EFAULT); default true. */
                mapped?: boolean;
                /** @description arm64: the VMA is hugetlbfs (true) or anonymous/shmem with THP (false); accepted on s390 and x86 with no other effect (x86 echoes it only when sent). Default false. */
                hugetlb?: boolean;
                /** @description Guest addresses whose host page is poisoned (host-page aligned, inside the slot; pageSize the host page size, no guest_memfd). A fault on one: x86 SIGBUS then EINTR, arm64 EHWPOISON, s390 EFAULT. */
                hwpoison?: components["schemas"]["U64"][];
            };
        };
        MemslotView: {
            addressSpace: number;
            slot: number;
            guestPhysAddr: components["schemas"]["Hex"];
            size: components["schemas"]["Hex"];
            userspaceAddr: components["schemas"]["Hex"];
            flags: components["schemas"]["MemslotFlag"][];
            guestMemfdOffset: components["schemas"]["Hex"];
            backing: {
                pageSize: components["schemas"]["LevelName"];
                writable: boolean;
                mapped: boolean;
                /** @description Present only when the request sent it (contract v2; no effect on x86). */
                hugetlb?: boolean;
                /** @description Present only when the request sent it (contract v2). */
                hwpoison?: components["schemas"]["Hex"][];
            };
        };
        MemslotResult: {
            ret: components["schemas"]["Ret"];
            errno: components["schemas"]["Errno"];
            /** @description With a negative ret only: the kernel check that failed and the function it lives in. */
            reason?: string;
            memslot: components["schemas"]["MemslotView"] | components["schemas"]["ArchMemslotView"] | null;
        };
        MemslotDeleteResult: {
            ret: components["schemas"]["Ret"];
            errno: components["schemas"]["Errno"];
            /** @description With a negative ret only: the kernel check that failed and the function it lives in. */
            reason?: string;
            /** @description The deleted slot, if the engine reports it. */
            memslot?: components["schemas"]["MemslotView"] | components["schemas"]["ArchMemslotView"] | null;
        };
        MemslotList: {
            memslots: (components["schemas"]["MemslotView"] | components["schemas"]["ArchMemslotView"])[];
        };
        MemoryAttributesRequest: {
            address: components["schemas"]["U64"];
            size: components["schemas"]["U64"];
            /** @description KVM_MEMORY_ATTRIBUTE_PRIVATE set (true) or cleared (false) */
            private: boolean;
        };
        MemoryAttributeRange: {
            address: components["schemas"]["Hex"];
            size: components["schemas"]["Hex"];
            private: boolean;
        };
        MemoryAttributeList: {
            memoryAttributes: components["schemas"]["MemoryAttributeRange"][];
        };
        VcpuCreate: {
            /** @description The vCPU id (below KVM_MAX_VCPU_IDS) */
            id: number;
            /**
             * @description Guest CPUID.0x80000008:EAX[7:0] (TDX: max guest physical address width)
             * @default 46
             */
            maxPhysAddr?: number;
            /**
             * @description In System Management Mode
             * @default false
             */
            smm?: boolean;
            /**
             * @description Running a nested (L2) guest
             * @default false
             */
            guestMode?: boolean;
            /**
             * @description With guestMode: L1 runs L2 on EPT/NPT (true) or shadow-pages it (false)
             * @default true
             */
            nestedTdp?: boolean;
            /** @description arm64 only: KVM_ARM_VCPU_INIT has succeeded (default true; false: created only). */
            initialized?: boolean;
            /** @description arm64 only: KVM_ARM_VCPU_HAS_EL2; needs host.nestedVirt (default false). */
            el2?: boolean;
            /** @description arm64 only, with el2: the vCPU last ran an L2, so its hw_mmu is a nested stage-2 (default false). */
            lastRanNested?: boolean;
        };
        VcpuPatch: {
            maxPhysAddr?: number;
            smm?: boolean;
            guestMode?: boolean;
            nestedTdp?: boolean;
            /** @description arm64 only: false -> true (KVM_ARM_VCPU_INIT); true -> false is a 409. */
            initialized?: boolean;
            /** @description arm64 only: needs el2 and an initialised vCPU. */
            lastRanNested?: boolean;
        };
        RootRole: {
            /** @description Root level: 4 or 5 */
            level: number;
            smm: boolean;
            guestMode: boolean;
            /** @description Memslot address space (= smm) */
            addressSpace: number;
            adDisabled: boolean;
            /** @description TDX mirror root (private mappings) */
            mirror: boolean;
        };
        RootRef: {
            id: string;
            level: number;
            smm: boolean;
            guestMode: boolean;
            addressSpace: number;
            adDisabled: boolean;
            mirror: boolean;
        };
        VcpuView: {
            id: number;
            maxPhysAddr: number;
            smm: boolean;
            guestMode: boolean;
            nestedTdp: boolean;
            mmu: {
                /**
                 * @description tdp (L1, SMM, L2 under L1 shadow paging, legacy TDP), shadow (no TDP), nested-tdp-shadow (L2 on nested TDP)
                 * @enum {string}
                 */
                kind: "tdp" | "shadow" | "nested-tdp-shadow";
                /** @description The root role, for a TDP MMU only. */
                rootRole: components["schemas"]["RootRole"] | null;
            };
            /** @description The root this vCPU has loaded now (null until its next reload). */
            loadedRoot: string | null;
        };
        VcpuList: {
            vcpus: components["schemas"]["AnyVcpuView"][];
        };
        /** @description The in-fields of struct kvm_pre_fault_memory, plus optional fault injection. */
        PreFaultRequest: {
            gpa: components["schemas"]["U64"];
            size: components["schemas"]["U64"];
            /** @description Must be 0 (the kernel answers EINVAL otherwise); default 0. */
            flags?: components["schemas"]["U64"];
            /** @description The struct's five padding words; any values are accepted. */
            padding?: components["schemas"]["U64"][];
            inject?: {
                /**
                 * @description A signal is pending on entry (EINTR before any iteration).
                 * @default false
                 */
                signalPending?: boolean;
                /** @description A signal arrives after N successful iterations (the call returns 0 with the rest of the range). */
                signalAfterIterations?: number | null;
                /**
                 * @description arm64 and s390 (contract v2): the first N fault attempts of the call find that an MMU-notifier
                 *     invalidation ran (mmu_invalidate_retry). arm64 retries up to 4 attempts per iteration, then
                 *     EAGAIN; s390 retries the fault-in; x86's retry loop runs again, so its answer is the one without races.
                 */
                invalidationRaces?: number;
                /**
                 * @description This memslot is KVM_MEMSLOT_INVALID for the duration of the call, as if another thread's
                 *     delete of it were waiting in synchronize_srcu. 6.18 answers EAGAIN for the faulting
                 *     iteration (3ccbf6f47098); before, the fault retries forever, so the call ends as a signal
                 *     would (EINTR, with a `note`). The delete does not complete. An unknown slot is a 404.
                 */
                memslotBeingDeleted?: {
                    addressSpace: number;
                    slot: number;
                } | null;
            };
        };
        IterationRow: {
            gpa: components["schemas"]["Hex"];
            /** @enum {string} */
            result: "FIXED" | "SPURIOUS" | "EMULATE" | "ERROR";
            level: components["schemas"]["LevelName"] | null;
            consumed: components["schemas"]["Hex"];
            /** @description count > 1: consecutive gpa steps of consumed */
            count: number;
            errno: components["schemas"]["Errno"];
            /** @description On a row that ends in an error: the kernel check that failed and its function. */
            reason?: string;
        };
        MappingRow: {
            gpa: components["schemas"]["Hex"];
            size: components["schemas"]["Hex"];
            level: components["schemas"]["LevelName"];
            count: number;
            /** @enum {string} */
            kind: "ram" | "mmio";
            hostPfn: components["schemas"]["Hex"] | null;
            private: boolean;
            writable: boolean;
            executable: boolean;
            accessed: boolean;
            dirty: boolean;
        };
        PreFaultResult: {
            ret: components["schemas"]["Ret"];
            errno: components["schemas"]["Errno"];
            /** @description With a negative ret only: the kernel check that failed and the function it lives in. */
            reason?: string;
            /** @description The struct as copied back to userspace. */
            range: {
                gpa: components["schemas"]["Hex"];
                size: components["schemas"]["Hex"];
                flags: components["schemas"]["Hex"];
            };
            iterations: components["schemas"]["IterationRow"][];
            root: components["schemas"]["RootRef"] | null;
            mapped: components["schemas"]["MappingRow"][];
            /** @description Why the simulated call stopped where the real kernel would spin. */
            note?: string;
        };
        AccessRequest: {
            gpa: components["schemas"]["U64"];
            /** @enum {string} */
            kind: "read" | "write" | "exec";
        };
        AccessResult: {
            ret: components["schemas"]["Ret"];
            errno: components["schemas"]["Errno"];
            /** @description With a negative ret only: the kernel check that failed and the function it lives in. */
            reason?: string;
            /**
             * @description What KVM_RUN would report to userspace; null when the guest simply continued.
             * @enum {string|null}
             */
            exit: "KVM_EXIT_MMIO" | "KVM_EXIT_MEMORY_FAULT" | null;
            iterations: components["schemas"]["IterationRow"][];
            root: components["schemas"]["RootRef"] | null;
            mapped: components["schemas"]["MappingRow"][];
        };
        RootView: {
            id: string;
            level: number;
            smm: boolean;
            guestMode: boolean;
            addressSpace: number;
            adDisabled: boolean;
            mirror: boolean;
            /** @description vCPUs that have this root loaded */
            vcpus: number[];
            counts: {
                "4K": number;
                "2M": number;
                "1G": number;
                tables: number;
                mmio: number;
            };
        };
        RootList: {
            roots: (components["schemas"]["RootView"] | components["schemas"]["ArchRootView"])[];
        };
        MappingsPage: {
            mappings: (components["schemas"]["MappingRow"] | components["schemas"]["ArchMappingRow"])[];
            nextCursor: string | null;
        };
        WalkStep: {
            /** @description Page-table level of this entry (5..1) */
            level: number;
            index: number;
            gpaBase: components["schemas"]["Hex"];
            spte: components["schemas"]["Hex"];
            present: boolean;
            leaf: boolean;
            mapping: components["schemas"]["MappingRow"] | null;
        };
        WalkResult: {
            root: components["schemas"]["RootRef"];
            gpa: components["schemas"]["Hex"];
            steps: components["schemas"]["WalkStep"][];
            leafLevel: components["schemas"]["LevelName"] | null;
        };
        /** @description An engine operation as logged (u64 values as lower-case hex). `op` names its kind. */
        LoggedOperation: {
            /** @enum {string} */
            op: "create_vcpu" | "set_vcpu_mode" | "set_memslot" | "delete_memslot" | "set_memory_attributes" | "finalize" | "mark_dead" | "pre_fault" | "access";
        };
        LogEntry: {
            seq: number;
            /** @description The operation kind (same as op.op). */
            kind: string;
            op: components["schemas"]["LoggedOperation"];
            /** @description What the engine answered (the HTTP response body of that call). */
            result: object;
            /** Format: date-time */
            createdAt: string;
        };
        OperationsPage: {
            operations: components["schemas"]["LogEntry"][];
            nextCursor: string | null;
        };
        Health: {
            /** @enum {string} */
            status: "ok";
        };
        Ready: {
            /** @enum {string} */
            status: "ready";
            /** @description VMs rebuilt from their logs at start-up plus those created since. */
            vms: number;
        };
        /**
         * @description A scenario in the neutral format of the spec's examples (`docs/scenario-format.md`):
         *     snake_case `host`, `vm`, `memslots`, `memory_attributes`, `vcpus`, ordered `steps`
         *     (each with an optional `expect`), and optionally `expected_final_state`. It also takes
         *     `vm.quirks_disabled` (names with or without `KVM_X86_QUIRK_`), `vm.dead` and the step
         *     `mark_dead`, a pre-fault step's `memslot_being_deleted: {as_id, slot}` (or a memslot with
         *     `state: invalid_deleting`, which applies to every pre-fault step), and `reason` in the
         *     `expect` and iteration rows of failing steps (informational: not compared on import).
         */
        Scenario: {
            id?: string;
            /** @description Name of the imported VM: at most 100 characters, as a VM name. */
            name?: string;
            description?: string;
            /**
             * @description Contract v2: `x86` when absent (an export of an x86 VM leaves it out). An `arm64` or `s390`
             *     scenario uses that arch's twins of the API fields: `host` (`granule`, `ipa_limit`, `pkvm`,
             *     `nested_virt`, `fwb`, `cache_dic`; `hpage`, `hpage_2g`, `max_storage`), `vm` (`type`,
             *     `ipa_bits`; `hpage_1m`, `hpage_2g`, `mem_limit`), memslot `backing.hugetlb` / `hwpoison`,
             *     vCPU `initialized` / `el2` / `last_ran_nested`, the `set_vcpu_state` step, a pre-fault's
             *     `invalidation_races`, iteration `fsc` / `attempts`, mapping `arch_bits` (`dirty: null` on
             *     arm64) and the root role's `kind`, `levels`, `start_level`, `granule`, `ipa_bits`,
             *     `concatenated_tables`, `asce_type`. `walk` steps are reads: import skips them.
             *     (docs/scenario-format.md.)
             */
            arch?: components["schemas"]["Arch"];
            kernel?: object;
            host?: object;
            vm?: object;
            memslots?: object[];
            memory_attributes?: object[];
            vcpus?: object[];
            steps: {
                op: string;
            }[];
            expected_final_state?: object;
        };
        ImportReport: {
            vm: components["schemas"]["Vm"];
            /** @description Operations applied (memslots, attributes, vCPUs and steps). */
            steps: number;
            /** @description The operations whose outcome differs from the scenario's expectation (or that were refused). */
            differing: {
                index: number;
                /** @description Where in the scenario, e.g. "steps[3]" or "memslots[0]". */
                origin: string;
                op: components["schemas"]["LoggedOperation"];
                differences: string[];
            }[];
            /** @description Steps with no operation here (e.g. check_extension). */
            skipped: string[];
        };
        LabSummary: {
            id: string;
            title: string;
            goal: string;
            /** @description Sections of docs/spec.md the lab is about. */
            spec: string[];
            taskCount: number;
        };
        LabList: {
            labs: components["schemas"]["LabSummary"][];
        };
        /** @description An HTTP call as a student makes it; `{vm:<name>}` in the path stands for that session VM's id. */
        ApiCall: {
            /** @enum {string} */
            method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
            path: string;
            body?: object;
        };
        /** @description A declarative check on engine state or the server's log: kind (rootExists, rootCount, mappingAt, leafCount, vmState, memslotFlags, memoryAttribute, operationLogged), the VM it reads, its own fields and a hint. */
        LabCheckSpec: {
            kind: string;
            vm: string;
            hint: string;
        };
        Lab: {
            id: string;
            title: string;
            goal: string;
            spec: string[];
            /** @description Each VM's set-up, in the contract's field names. */
            vms: {
                name: string;
                /** @description The POST /v1/vms body without name. */
                config: object;
                memslots?: object[];
                memoryAttributes?: object[];
                vcpus?: object[];
                finalize?: boolean;
            }[];
            tasks: {
                n: number;
                title: string;
                prompt?: string;
                explain?: string;
                calls?: components["schemas"]["ApiCall"][];
                predict?: object[];
                checks?: components["schemas"]["LabCheckSpec"][];
            }[];
        };
        LabSessionCreate: {
            /**
             * @description predict: calls and outcomes hidden until predicted
             * @default guided
             * @enum {string}
             */
            mode?: "guided" | "predict";
            /** @description Who the session is for (without tokens: also what makes Start idempotent, one session per name). No control characters. */
            student?: string;
            /** @description Without tokens and without a name: an id the caller keeps (the lab page: one per browser; a script: any stable id, e.g. a UUID). Ignored with tokens. */
            client?: string;
        };
        LabSessionReset: {
            /**
             * @description Start over in this mode (default: the session's own).
             * @enum {string}
             */
            mode?: "guided" | "predict";
        };
        /** @description Per predicted field (ret, rootRole, level, iterations): what was given, and once the call ran after the prediction, what the kernel did. */
        GradedPrediction: {
            [key: string]: {
                /** @description The prediction (ret normalised to 0 or -errno). */
                given: unknown;
                /** @description What the logged call did. */
                actual?: unknown;
                correct?: boolean;
            };
        };
        LabSession: {
            sessionId: string;
            labId: string;
            /** @enum {string} */
            mode?: "guided" | "predict";
            student?: string | null;
            vms: {
                /** @description The lab's name for the VM ({vm:<name>} in task paths). */
                name: string;
                /** @description The VM id to use in /v1/vms/{vmId}/... calls. */
                id: string;
                /** @description Same as name: the VM's role in the lab (e.g. upstream, switch-root-mmu). */
                role?: string;
                /** @description Same as id. */
                vmId?: string;
            }[];
            /** Format: date-time */
            createdAt: string;
            tasks?: {
                n: number;
                title: string;
                /** @description What to do, without the outcome. */
                prompt?: string;
                /** @description The rule and the kernel function behind the outcome (in predict mode: only once the predicted calls have run after the prediction). */
                explain?: string;
                calls?: components["schemas"]["ApiCall"][];
                predict?: {
                    /** @enum {string} */
                    field: "ret" | "rootRole" | "level" | "iterations";
                    label: string;
                    /** @description Which of the task's calls (1-based) grades it. */
                    call: number;
                    /** @description Answers to offer: text, or for rootRole the roles themselves (send the chosen one as it is). */
                    choices?: (string | {
                        smm: boolean;
                        guestMode: boolean;
                        /** @enum {integer} */
                        level?: 2 | 3 | 4 | 5;
                    })[];
                }[];
                /** @description Passed once; stays passed. */
                passed: boolean;
                /** @description The calls are hidden until a prediction is stored. */
                hidden: boolean;
                /**
                 * Format: date-time
                 * @description When the prediction was stored; it cannot change (a reset starts over).
                 */
                predictedAt?: string;
                predictions?: components["schemas"]["GradedPrediction"];
            }[];
        };
        LabPrediction: {
            /** @description 0 or -errno: -22, "-22", "EINVAL" and "-EINVAL" are the same answer. */
            ret?: number | string;
            /** @description Same as ret (e.g. "EOPNOTSUPP"). */
            errno?: string;
            /** @description The role of the root the call uses, or null for no root. */
            rootRole?: {
                smm: boolean;
                guestMode: boolean;
                /**
                 * @description Paging levels: x86 4 or 5, an arm64 stage-2 2 to 4, an s390 gmap 2 to 5.
                 * @enum {integer}
                 */
                level?: 2 | 3 | 4 | 5;
            } | null;
            level?: components["schemas"]["ArchLevelName"];
            iterations?: number;
        };
        LabPredictionStored: {
            /** @constant */
            stored: true;
            n: number;
            /** @description The stored prediction (ret normalised). */
            prediction: object;
            /**
             * Format: date-time
             * @description When it was stored.
             */
            predictedAt?: string;
        };
        TeacherProgress: {
            assignments: components["schemas"]["AssignmentProgress"][];
            students: {
                /** @description The name the token file gives the token (`token name…` lines), else the name given, else "token:<first 8 hex of its sha256>" (tokens on) or "client:<first 8 characters of the client id>". */
                student: string;
                sessions: {
                    labId: string;
                    sessionId: string;
                    mode: string;
                    /** Format: date-time */
                    createdAt: string;
                    tasksPassed: number;
                    taskCount: number;
                    tasks: {
                        n: number;
                        passed: boolean;
                        /** Format: date-time */
                        passedAt?: string;
                        /**
                         * Format: date-time
                         * @description When the (one) prediction was stored.
                         */
                        predictedAt?: string;
                        predictions?: components["schemas"]["GradedPrediction"];
                    }[];
                }[];
                quizzes: {
                    quizId: string;
                    topic: string;
                    /** @description The number of questions. */
                    of: number;
                    /** @description How many attempts. */
                    count: number;
                    first: components["schemas"]["QuizAttempt"];
                    best: components["schemas"]["QuizAttempt"];
                    last: components["schemas"]["QuizAttempt"];
                }[];
            }[];
        };
        DeletedSessions: {
            deleted: {
                sessionId: string;
                labId: string;
                /** @description As the progress view lists the student. */
                student: string;
                /** Format: date-time */
                createdAt: string;
                /** @description How many VMs of the session were removed. */
                vms: number;
            }[];
        };
        QuizAttempt: {
            score: number;
            /** Format: date-time */
            submittedAt: string;
        };
        LabCheck: {
            sessionId: string;
            labId: string;
            /** @description Every task passes. */
            passed: boolean;
            tasks: {
                n: number;
                title: string;
                /** @description All checks pass now, or did once (a passed task stays passed). */
                passed: boolean;
                predictions?: components["schemas"]["GradedPrediction"];
                /**
                 * @description Predict mode: hints and details wait until the predicted calls have run after the prediction.
                 * @constant
                 */
                withheld?: true;
                checks: {
                    kind: string;
                    vm: string;
                    passed: boolean;
                    /** @description What the engine state shows. */
                    detail: string;
                    /** @description Only while the check does not pass and its task has not passed. */
                    hint?: string;
                }[];
            }[];
        };
        /** @enum {string} */
        QuizTopic: "roots" | "huge-pages" | "errno" | "policies";
        QuizCreate: {
            topic: components["schemas"]["QuizTopic"];
            /** @description Same topic and seed, same quiz; default: random. */
            seed?: number;
        };
        Quiz: {
            id: string;
            /** Format: date-time */
            createdAt: string;
            topic: components["schemas"]["QuizTopic"];
            seed: number;
            title: string;
            /** @description The set-up in words. */
            intro: string;
            /** @description The set-up as one lab VM (name "quiz"): config, memslots, vCPUs. */
            setup: object;
            questions: {
                id: string;
                text: string;
                /** @description Made in order on a fresh copy of the set-up ({vm:quiz}). */
                calls: components["schemas"]["ApiCall"][];
                answer: {
                    /** @enum {string} */
                    type: "choice" | "u64" | "integer";
                    choices?: string[];
                };
            }[];
        };
        QuizAnswerValue: string | number;
        QuizAnswers: {
            id: string;
            topic: components["schemas"]["QuizTopic"];
            seed: number;
            answers: {
                id: string;
                value: components["schemas"]["QuizAnswerValue"];
                explanation: string;
            }[];
        };
        QuizSubmission: {
            /** @description Who answers (without tokens; with tokens the token identifies the student). No control characters. */
            student?: string;
            /** @description Without tokens and without a name: an id the caller keeps (the lab page: one per browser; a script: any stable id, e.g. a UUID). Ignored with tokens. */
            client?: string;
            answers: {
                [key: string]: components["schemas"]["QuizAnswerValue"];
            };
        };
        QuizGrade: {
            quizId: string;
            score: number;
            total: number;
            results: {
                id: string;
                correct: boolean;
                /** @description The answer given (null if none). */
                given: unknown;
                /** @description The key: to a teacher token only. */
                expected?: components["schemas"]["QuizAnswerValue"];
                /** @description To a teacher token only. */
                explanation?: string;
            }[];
        };
        AssignmentCreate: {
            /** @enum {string} */
            kind: "lab" | "quiz";
            /** @description What students see; default: the lab's or the quiz's title. */
            title?: string;
            /** @description A lab assignment: the lab (required). */
            labId?: string;
            /**
             * @description A lab assignment: the mode its sessions start in (default guided).
             * @enum {string}
             */
            mode?: "guided" | "predict";
            topic?: components["schemas"]["QuizTopic"];
            /** @description A quiz assignment: with `topic`, the quiz (default: random). */
            seed?: number;
            /** @description An ISO 8601 date (midnight UTC) or date-time with a zone. Work after it is kept and shown, but does not count. */
            deadline?: string;
            /**
             * @description A quiz assignment: when a student sees the key (default never).
             * @enum {string}
             */
            reveal?: "after-first-submission" | "after-deadline" | "never";
            /** @description A quiz assignment: the first N attempts count, the best is the grade (default: all; 1 with after-first-submission). */
            attemptsCounted?: number;
        };
        Assignment: {
            id: string;
            title: string;
            /** @enum {string} */
            kind: "lab" | "quiz";
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            deadline: string | null;
            labId?: string;
            /** @enum {string} */
            mode?: "guided" | "predict";
            /** @description The quiz generated for it. */
            quizId?: string;
            topic?: components["schemas"]["QuizTopic"];
            seed?: number;
            /** @enum {string} */
            reveal?: "after-first-submission" | "after-deadline" | "never";
            /** @description null: every attempt before the deadline counts. */
            attemptsCounted?: number | null;
            /** @description The key, when the caller may read it (getAssignment only). */
            answers?: {
                id: string;
                value: components["schemas"]["QuizAnswerValue"];
                explanation: string;
            }[];
        };
        AssignmentList: {
            assignments: components["schemas"]["Assignment"][];
        };
        AssignmentStart: {
            /** @description Without tokens: who starts (a name). */
            student?: string;
            /** @description Without tokens and without a name: an id the caller keeps. */
            client?: string;
        };
        AssignmentStarted: {
            assignment: components["schemas"]["Assignment"];
            session?: components["schemas"]["LabSession"];
            quiz?: components["schemas"]["Quiz"];
        };
        AssignmentGrade: {
            assignmentId: string;
            /** @description This attempt's number, 1 the first. */
            attempt: number;
            /** @description Whether it counts for the grade. */
            counted: boolean;
            /** @description Whether the results carry the key. */
            keyRevealed: boolean;
            grade: components["schemas"]["QuizGrade"];
        };
        /** @description One assignment and every student's grade for it (every student token; on an open server, every student who did anything). */
        AssignmentProgress: {
            assignmentId: string;
            title: string;
            /** @enum {string} */
            kind: "lab" | "quiz";
            /** @description The lab id, or the quiz topic. */
            item: string;
            mode?: string;
            quizId?: string;
            /** Format: date-time */
            deadline: string | null;
            students: {
                student: string;
                started: boolean;
                /** @description The lab session, or the quiz. */
                id?: string;
                /** @description The session's mode (a lab started outside the assignment may have the other). */
                mode?: string;
                /** Format: date-time */
                startedAt?: string;
                /** @description The grade: tasks passed by the deadline, or the best counted attempt (0 if none). */
                score: number;
                outOf: number;
                /** @description Tasks first passed, or attempts made, after the deadline. */
                late?: number;
                predicted?: number;
                predictedRight?: number;
                /** @description Every attempt (a quiz). */
                attempts?: number;
                /** @description The attempts that count. */
                counted?: number;
                /** Format: date-time */
                lastAt?: string;
            }[];
        };
    };
    responses: {
        /** @description The request is malformed; `field` names the failing input. */
        BadRequest: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description No such VM, vCPU, root or route. */
        NotFound: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The request conflicts with the VM's state (e.g. the vCPU id exists). */
        Conflict: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The request body is larger than the server accepts. */
        PayloadTooLarge: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The request body is not `application/json`. */
        UnsupportedMediaType: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /**
         * @description `limit-exceeded`: a quota is used up (VMs per server, vCPUs or memslots or operation-log
         *     entries per VM); free one first. `rate-limited`: this client (its token, else its IP)
         *     sent more calls than the server allows per window; retry after `Retry-After` seconds.
         */
        LimitExceeded: {
            headers: {
                /** @description Seconds until the rate-limit window resets (rate-limited only). */
                "Retry-After"?: number;
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The server requires a bearer token and the call has none, or an unknown one. */
        Unauthorized: {
            headers: {
                "WWW-Authenticate"?: string;
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description The token is valid but its role may not do this (a student token asking for a teacher's view, a teacher token changing a student's VM or session). */
        Forbidden: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description `not-ready`: the service is still rebuilding VMs from their logs, or (cluster mode) the VM is moving to another instance (its lease row may be locked by another instance's transaction), or (PostgreSQL) the call's commit failed before anything was written (a lost database session, a lock wait past its timeout); nothing was applied, and each passes on its own: retry after `Retry-After` seconds. Without `Retry-After` the service's storage failed or a VM could not be rebuilt: retrying does not help until the service restarts. `overloaded`: the VM's queue, or its engine worker's, holds as many calls as the server allows (MAX_QUEUE_PER_VM, MAX_QUEUE_PER_WORKER); nothing was applied, retry after `Retry-After` seconds. */
        NotReady: {
            headers: {
                /** @description Seconds after which the same call may succeed (overloaded, VMs loading, a VM changing instances). */
                "Retry-After"?: number;
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description `owner-unreachable` (cluster mode): the call reached an instance that does not own the VM, and the owner did not answer the forwarded call. A refused connection (the owner is down) means the call was not applied; a connection closed without an answer means it may or may not have been: before repeating a call that changes the VM, read `GET /v1/vms/{vmId}/operations` (an applied call is in the log). Retry after `Retry-After` seconds: once the owner's lease expires another instance takes the VM over. */
        OwnerUnreachable: {
            headers: {
                /** @description Seconds after which the same call may succeed. */
                "Retry-After"?: number;
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
        /** @description `owner-timeout` (cluster mode): the call was forwarded to the VM's owner, which did not answer within FORWARD_TIMEOUT_MS (it may be paused or overloaded). The outcome is unknown: the owner may have applied the call, or may still apply it when it resumes if it still holds the lease. Before repeating a call that changes the VM, read `GET /v1/vms/{vmId}/operations` (an applied call is in the log). Retry after `Retry-After` seconds: once the owner's lease expires another instance takes the VM over. */
        OwnerTimeout: {
            headers: {
                /** @description Seconds after which the same call may succeed. */
                "Retry-After"?: number;
                [name: string]: unknown;
            };
            content: {
                "application/problem+json": components["schemas"]["Problem"];
            };
        };
    };
    parameters: {
        /** @description The VM's id, as `POST /v1/vms` returned it. */
        VmId: string;
        /**
         * @description The vCPU id given at creation.
         * @example 0
         */
        VcpuId: number;
        /**
         * @description Memslot address space (the upper 16 bits of the ioctl's slot); 1 is SMM. Others give EINVAL.
         * @example 0
         */
        AddressSpace: number;
        /**
         * @description Slot id within the address space (the lower 16 bits of the ioctl's slot).
         * @example 10
         */
        Slot: number;
        /** @description A root id from `GET /v1/vms/{vmId}/roots`. */
        RootId: string;
        /** @description Page size. */
        Limit: number;
        /** @description The `nextCursor` of the previous page (opaque). */
        Cursor: string;
        /**
         * @description A lab id from `GET /v1/labs`.
         * @example huge-pages
         */
        LabId: string;
        /** @description The `sessionId` that starting the session returned. */
        SessionId: string;
        /** @description The `id` that generating the quiz returned. */
        QuizId: string;
    };
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    listVms: {
        parameters: {
            query?: {
                /** @description Page size. */
                limit?: components["parameters"]["Limit"];
                /** @description The `nextCursor` of the previous page (opaque). */
                cursor?: components["parameters"]["Cursor"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of VMs. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VmList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            429: components["responses"]["LimitExceeded"];
            503: components["responses"]["NotReady"];
        };
    };
    createVm: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["VmCreate"];
            };
        };
        responses: {
            /** @description The VM, with its defaults filled. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Vm"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["LimitExceeded"];
            503: components["responses"]["NotReady"];
        };
    };
    getVm: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The VM's id, as `POST /v1/vms` returned it. */
                vmId: components["parameters"]["VmId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The VM. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Vm"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["LimitExceeded"];
            502: components["responses"]["OwnerUnreachable"];
            503: components["responses"]["NotReady"];
            504: components["responses"]["OwnerTimeout"];
        };
    };
    deleteVm: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The VM's id, as `POST /v1/vms` returned it. */
                vmId: components["parameters"]["VmId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted. */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["LimitExceeded"];
            502: components["responses"]["OwnerUnreachable"];
            503: components["responses"]["NotReady"];
            504: components["responses"]["OwnerTimeout"];
        };
    };
    finalizeVm: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The VM's id, as `POST /v1/vms` returned it. */
                vmId: components["parameters"]["VmId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The simulated ioctl's outcome. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["IoctlResult"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["LimitExceeded"];
            502: components["responses"]["OwnerUnreachable"];
            503: components["responses"]["NotReady"];
            504: components["responses"]["OwnerTimeout"];
        };
    };
    markVmDead: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The VM's id, as `POST /v1/vms` returned it. */
                vmId: components["parameters"]["VmId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The VM, now dead. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Vm"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["LimitExceeded"];
            502: components["responses"]["OwnerUnreachable"];
            503: components["responses"]["NotReady"];
            504: components["responses"]["OwnerTimeout"];
        };
    };
    getCapabilities: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The VM's id, as `POST /v1/vms` returned it. */
                vmId: components["parameters"]["VmId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description What KVM_CHECK_EXTENSION answers. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Capabilities"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["LimitExceeded"];
            502: components["responses"]["OwnerUnreachable"];
            503: components["responses"]["NotReady"];
            504: components["responses"]["OwnerTimeout"];
        };
    };
    listMemslots: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The VM's id, as `POST /v1/vms` returned it. */
                vmId: components["parameters"]["VmId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The memslots. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MemslotList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["LimitExceeded"];
            502: components["responses"]["OwnerUnreachable"];
            503: components["responses"]["NotReady"];
            504: components["responses"]["OwnerTimeout"];
        };
    };
    putMemslot: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The VM's id, as `POST /v1/vms` returned it. */
                vmId: components["parameters"]["VmId"];
                /**
                 * @description Memslot address space (the upper 16 bits of the ioctl's slot); 1 is SMM. Others give EINVAL.
                 * @example 0
                 */
                addressSpace: components["parameters"]["AddressSpace"];
                /**
                 * @description Slot id within the address space (the lower 16 bits of the ioctl's slot).
                 * @example 10
                 */
                slot: components["parameters"]["Slot"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MemslotRequest"];
            };
        };
        responses: {
            /** @description The simulated ioctl's outcome and the slot as stored. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MemslotResult"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["LimitExceeded"];
            502: components["responses"]["OwnerUnreachable"];
            503: components["responses"]["NotReady"];
            504: components["responses"]["OwnerTimeout"];
        };
    };
    deleteMemslot: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The VM's id, as `POST /v1/vms` returned it. */
                vmId: components["parameters"]["VmId"];
                /**
                 * @description Memslot address space (the upper 16 bits of the ioctl's slot); 1 is SMM. Others give EINVAL.
                 * @example 0
                 */
                addressSpace: components["parameters"]["AddressSpace"];
                /**
                 * @description Slot id within the address space (the lower 16 bits of the ioctl's slot).
                 * @example 10
                 */
                slot: components["parameters"]["Slot"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The simulated ioctl's outcome. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MemslotDeleteResult"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["LimitExceeded"];
            502: components["responses"]["OwnerUnreachable"];
            503: components["responses"]["NotReady"];
            504: components["responses"]["OwnerTimeout"];
        };
    };
    listMemoryAttributes: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The VM's id, as `POST /v1/vms` returned it. */
                vmId: components["parameters"]["VmId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The attribute ranges. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MemoryAttributeList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["LimitExceeded"];
            502: components["responses"]["OwnerUnreachable"];
            503: components["responses"]["NotReady"];
            504: components["responses"]["OwnerTimeout"];
        };
    };
    setMemoryAttributes: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The VM's id, as `POST /v1/vms` returned it. */
                vmId: components["parameters"]["VmId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MemoryAttributesRequest"];
            };
        };
        responses: {
            /** @description The simulated ioctl's outcome. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["IoctlResult"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["LimitExceeded"];
            502: components["responses"]["OwnerUnreachable"];
            503: components["responses"]["NotReady"];
            504: components["responses"]["OwnerTimeout"];
        };
    };
    listVcpus: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The VM's id, as `POST /v1/vms` returned it. */
                vmId: components["parameters"]["VmId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The vCPUs. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VcpuList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["LimitExceeded"];
            502: components["responses"]["OwnerUnreachable"];
            503: components["responses"]["NotReady"];
            504: components["responses"]["OwnerTimeout"];
        };
    };
    createVcpu: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The VM's id, as `POST /v1/vms` returned it. */
                vmId: components["parameters"]["VmId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["VcpuCreate"];
            };
        };
        responses: {
            /** @description The VM is dead: KVM_CREATE_VCPU answers EIO (ret -5) and no vCPU is created. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["IoctlResult"];
                };
            };
            /** @description The vCPU and its current MMU (arm64 and s390 VMs answer their arch's view). */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AnyVcpuView"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["LimitExceeded"];
            502: components["responses"]["OwnerUnreachable"];
            503: components["responses"]["NotReady"];
            504: components["responses"]["OwnerTimeout"];
        };
    };
    getVcpu: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The VM's id, as `POST /v1/vms` returned it. */
                vmId: components["parameters"]["VmId"];
                /**
                 * @description The vCPU id given at creation.
                 * @example 0
                 */
                vcpuId: components["parameters"]["VcpuId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The vCPU. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AnyVcpuView"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["LimitExceeded"];
            502: components["responses"]["OwnerUnreachable"];
            503: components["responses"]["NotReady"];
            504: components["responses"]["OwnerTimeout"];
        };
    };
    patchVcpu: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The VM's id, as `POST /v1/vms` returned it. */
                vmId: components["parameters"]["VmId"];
                /**
                 * @description The vCPU id given at creation.
                 * @example 0
                 */
                vcpuId: components["parameters"]["VcpuId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["VcpuPatch"];
            };
        };
        responses: {
            /** @description The vCPU after the change; on a dead VM the ioctl's EIO answer (ret -5) and no change. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AnyVcpuView"] | components["schemas"]["IoctlResult"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["LimitExceeded"];
            502: components["responses"]["OwnerUnreachable"];
            503: components["responses"]["NotReady"];
            504: components["responses"]["OwnerTimeout"];
        };
    };
    preFault: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The VM's id, as `POST /v1/vms` returned it. */
                vmId: components["parameters"]["VmId"];
                /**
                 * @description The vCPU id given at creation.
                 * @example 0
                 */
                vcpuId: components["parameters"]["VcpuId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PreFaultRequest"];
            };
        };
        responses: {
            /** @description The simulated ioctl's outcome (also when it failed); arm64 and s390 VMs answer with their arch's rows. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PreFaultResult"] | components["schemas"]["ArchPreFaultResult"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["LimitExceeded"];
            502: components["responses"]["OwnerUnreachable"];
            503: components["responses"]["NotReady"];
            504: components["responses"]["OwnerTimeout"];
        };
    };
    guestAccess: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The VM's id, as `POST /v1/vms` returned it. */
                vmId: components["parameters"]["VmId"];
                /**
                 * @description The vCPU id given at creation.
                 * @example 0
                 */
                vcpuId: components["parameters"]["VcpuId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AccessRequest"];
            };
        };
        responses: {
            /** @description The simulated fault's outcome. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AccessResult"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["LimitExceeded"];
            502: components["responses"]["OwnerUnreachable"];
            503: components["responses"]["NotReady"];
            504: components["responses"]["OwnerTimeout"];
        };
    };
    listRoots: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The VM's id, as `POST /v1/vms` returned it. */
                vmId: components["parameters"]["VmId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The roots. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RootList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["LimitExceeded"];
            502: components["responses"]["OwnerUnreachable"];
            503: components["responses"]["NotReady"];
            504: components["responses"]["OwnerTimeout"];
        };
    };
    listMappings: {
        parameters: {
            query?: {
                /**
                 * @description First guest physical address to list (default 0).
                 * @example 0x0
                 */
                from?: components["schemas"]["U64Query"];
                /** @description End of the listed range, exclusive (default the end of the address space). */
                to?: components["schemas"]["U64Query"];
                /** @description Page size. */
                limit?: components["parameters"]["Limit"];
                /** @description The `nextCursor` of the previous page (opaque). */
                cursor?: components["parameters"]["Cursor"];
            };
            header?: never;
            path: {
                /** @description The VM's id, as `POST /v1/vms` returned it. */
                vmId: components["parameters"]["VmId"];
                /** @description A root id from `GET /v1/vms/{vmId}/roots`. */
                rootId: components["parameters"]["RootId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of mapping rows. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MappingsPage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["LimitExceeded"];
            502: components["responses"]["OwnerUnreachable"];
            503: components["responses"]["NotReady"];
            504: components["responses"]["OwnerTimeout"];
        };
    };
    walkRoot: {
        parameters: {
            query: {
                /**
                 * @description The guest physical address to translate.
                 * @example 0x3fffffc00000
                 */
                gpa: components["schemas"]["U64Query"];
            };
            header?: never;
            path: {
                /** @description The VM's id, as `POST /v1/vms` returned it. */
                vmId: components["parameters"]["VmId"];
                /** @description A root id from `GET /v1/vms/{vmId}/roots`. */
                rootId: components["parameters"]["RootId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The walk. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WalkResult"] | components["schemas"]["ArchWalkResult"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["LimitExceeded"];
            502: components["responses"]["OwnerUnreachable"];
            503: components["responses"]["NotReady"];
            504: components["responses"]["OwnerTimeout"];
        };
    };
    listOperations: {
        parameters: {
            query?: {
                /** @description Page size. */
                limit?: components["parameters"]["Limit"];
                /** @description The `nextCursor` of the previous page (opaque). */
                cursor?: components["parameters"]["Cursor"];
            };
            header?: never;
            path: {
                /** @description The VM's id, as `POST /v1/vms` returned it. */
                vmId: components["parameters"]["VmId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of log entries. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["OperationsPage"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["LimitExceeded"];
            502: components["responses"]["OwnerUnreachable"];
            503: components["responses"]["NotReady"];
            504: components["responses"]["OwnerTimeout"];
        };
    };
    getOperationTrace: {
        parameters: {
            query?: {
                /** @description The index of the first event to answer (0 = the first). */
                offset?: number;
                /** @description Events to answer at most, from `offset`. */
                limit?: number;
            };
            header?: never;
            path: {
                /** @description The VM's id, as `POST /v1/vms` returned it. */
                vmId: components["parameters"]["VmId"];
                /** @description The log entry's `seq`. */
                seq: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description One line per event (empty when the operation changed no SPTE, or past the last event). */
            200: {
                headers: {
                    /** @description How many events the operation emitted in all. */
                    "X-Trace-Events"?: number;
                    [name: string]: unknown;
                };
                content: {
                    /** @example CPU 0/KVM-1000  [000]     7.000000: kvm_mmu_spte_requested: gfn 3fffffc00 pfn 1ff7 level 1 */
                    "text/plain": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            /**
             * @description `response-too-large`: the trace has more events than one answer holds and no range
             *     was asked for; `detail` says how many and how to ask for a range
             *     (`?offset=0&limit=10000`, then `offset=10000`, ...).
             */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["LimitExceeded"];
            502: components["responses"]["OwnerUnreachable"];
            503: components["responses"]["NotReady"];
            504: components["responses"]["OwnerTimeout"];
        };
    };
    exportVm: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The VM's id, as `POST /v1/vms` returned it. */
                vmId: components["parameters"]["VmId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The scenario. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Scenario"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            /** @description `response-too-large`: the VM's log has more entries than one import applies (10,000). */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": components["schemas"]["Problem"];
                };
            };
            429: components["responses"]["LimitExceeded"];
            502: components["responses"]["OwnerUnreachable"];
            503: components["responses"]["NotReady"];
            504: components["responses"]["OwnerTimeout"];
        };
    };
    importVm: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["Scenario"];
            };
        };
        responses: {
            /** @description The new VM and the replay report. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ImportReport"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["LimitExceeded"];
            503: components["responses"]["NotReady"];
        };
    };
    listLabs: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Every lab. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LabList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            429: components["responses"]["LimitExceeded"];
            503: components["responses"]["NotReady"];
        };
    };
    getLab: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description A lab id from `GET /v1/labs`.
                 * @example huge-pages
                 */
                labId: components["parameters"]["LabId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The lab. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Lab"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["LimitExceeded"];
            503: components["responses"]["NotReady"];
        };
    };
    createLabSession: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description A lab id from `GET /v1/labs`.
                 * @example huge-pages
                 */
                labId: components["parameters"]["LabId"];
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["LabSessionCreate"];
            };
        };
        responses: {
            /** @description The student's existing session of this lab (nothing was created). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LabSession"];
                };
            };
            /** @description The new session and its VMs. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LabSession"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["LimitExceeded"];
            503: components["responses"]["NotReady"];
        };
    };
    getLabSession: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description A lab id from `GET /v1/labs`.
                 * @example huge-pages
                 */
                labId: components["parameters"]["LabId"];
                /** @description The `sessionId` that starting the session returned. */
                sessionId: components["parameters"]["SessionId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The session. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LabSession"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            429: components["responses"]["LimitExceeded"];
            503: components["responses"]["NotReady"];
        };
    };
    resetLabSession: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description A lab id from `GET /v1/labs`.
                 * @example huge-pages
                 */
                labId: components["parameters"]["LabId"];
                /** @description The `sessionId` that starting the session returned. */
                sessionId: components["parameters"]["SessionId"];
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["LabSessionReset"];
            };
        };
        responses: {
            /** @description The session with its new VMs. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LabSession"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["LimitExceeded"];
            503: components["responses"]["NotReady"];
        };
    };
    predictLabTask: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description A lab id from `GET /v1/labs`.
                 * @example huge-pages
                 */
                labId: components["parameters"]["LabId"];
                /** @description The `sessionId` that starting the session returned. */
                sessionId: components["parameters"]["SessionId"];
                /** @description The task number. */
                n: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["LabPrediction"];
            };
        };
        responses: {
            /** @description Stored; graded once the call has run after it. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LabPredictionStored"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["LimitExceeded"];
            503: components["responses"]["NotReady"];
        };
    };
    checkLabSession: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /**
                 * @description A lab id from `GET /v1/labs`.
                 * @example huge-pages
                 */
                labId: components["parameters"]["LabId"];
                /** @description The `sessionId` that starting the session returned. */
                sessionId: components["parameters"]["SessionId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Per task, pass or not yet. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LabCheck"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            429: components["responses"]["LimitExceeded"];
            503: components["responses"]["NotReady"];
        };
    };
    getTeacherProgress: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Progress by student. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TeacherProgress"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["LimitExceeded"];
            503: components["responses"]["NotReady"];
        };
    };
    getTeacherProgressCsv: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Progress by student, one row per lab session or quiz. */
            200: {
                headers: {
                    /** @description `attachment; filename="progress.csv"` */
                    "Content-Disposition"?: string;
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example student,kind,item,id,mode,started_at,score,out_of,predicted,predicted_right,attempts,first_score,last_score,last_at,assignment,assignment_id,deadline,counted,late
                     *     "Lovelace, Ada",quiz,roots,5f0c…,,2026-03-02T10:00:00.000Z,4,4,,,2,3,4,2026-03-02T10:09:00.000Z,,,,,
                     */
                    "text/csv": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            429: components["responses"]["LimitExceeded"];
            503: components["responses"]["NotReady"];
        };
    };
    deleteTeacherSessions: {
        parameters: {
            query?: {
                /**
                 * @description Whose sessions (roster name, label or key).
                 * @example Ada Lovelace
                 */
                student?: string;
                /**
                 * @description Sessions started before this time, an ISO 8601 date (midnight UTC) or date-time with a zone.
                 * @example 2026-09-01
                 */
                before?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The sessions deleted (an empty list when none matched). */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeletedSessions"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["LimitExceeded"];
            503: components["responses"]["NotReady"];
        };
    };
    createQuiz: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["QuizCreate"];
            };
        };
        responses: {
            /** @description The quiz, without its answers. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Quiz"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["LimitExceeded"];
            503: components["responses"]["NotReady"];
        };
    };
    getQuiz: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The `id` that generating the quiz returned. */
                quizId: components["parameters"]["QuizId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The quiz. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Quiz"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["LimitExceeded"];
            503: components["responses"]["NotReady"];
        };
    };
    getQuizAnswers: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The `id` that generating the quiz returned. */
                quizId: components["parameters"]["QuizId"];
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The answer key. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["QuizAnswers"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["LimitExceeded"];
            503: components["responses"]["NotReady"];
        };
    };
    submitQuiz: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The `id` that generating the quiz returned. */
                quizId: components["parameters"]["QuizId"];
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["QuizSubmission"];
            };
        };
        responses: {
            /** @description The score and, per question, whether it was right. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["QuizGrade"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["LimitExceeded"];
            503: components["responses"]["NotReady"];
        };
    };
    listAssignments: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The assignments. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AssignmentList"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            429: components["responses"]["LimitExceeded"];
            503: components["responses"]["NotReady"];
        };
    };
    createAssignment: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AssignmentCreate"];
            };
        };
        responses: {
            /** @description The assignment. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Assignment"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            403: components["responses"]["Forbidden"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["LimitExceeded"];
            503: components["responses"]["NotReady"];
        };
    };
    getAssignment: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The `id` that creating the assignment returned. */
                assignmentId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The assignment. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Assignment"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            429: components["responses"]["LimitExceeded"];
            503: components["responses"]["NotReady"];
        };
    };
    startAssignment: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The assignment's `id`. */
                assignmentId: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": components["schemas"]["AssignmentStart"];
            };
        };
        responses: {
            /** @description The student's existing session (a lab), or the quiz. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AssignmentStarted"];
                };
            };
            /** @description A new lab session. */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AssignmentStarted"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["LimitExceeded"];
            503: components["responses"]["NotReady"];
        };
    };
    submitAssignment: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The assignment's `id` (a quiz assignment). */
                assignmentId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["QuizSubmission"];
            };
        };
        responses: {
            /** @description The attempt, graded. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AssignmentGrade"];
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            404: components["responses"]["NotFound"];
            409: components["responses"]["Conflict"];
            413: components["responses"]["PayloadTooLarge"];
            415: components["responses"]["UnsupportedMediaType"];
            429: components["responses"]["LimitExceeded"];
            503: components["responses"]["NotReady"];
        };
    };
    getUi: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The viewer's HTML page. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
            400: components["responses"]["BadRequest"];
        };
    };
    getUiFile: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A file of the viewer (`app.js`, `style.css`, `favicon.svg`, ...). */
                file: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/javascript": string;
                    "text/css": string;
                    "text/html": string;
                    "image/svg+xml": string;
                };
            };
            400: components["responses"]["BadRequest"];
            404: components["responses"]["NotFound"];
        };
    };
    healthz: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Up. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
            400: components["responses"]["BadRequest"];
        };
    };
    readyz: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Ready. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Ready"];
                };
            };
            400: components["responses"]["BadRequest"];
            503: components["responses"]["NotReady"];
        };
    };
    getMetrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The current figures. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                };
            };
            400: components["responses"]["BadRequest"];
            401: components["responses"]["Unauthorized"];
            429: components["responses"]["LimitExceeded"];
        };
    };
    getOpenApiYaml: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The OpenAPI document. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/yaml": string;
                };
            };
            400: components["responses"]["BadRequest"];
        };
    };
    getOpenApiJson: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The OpenAPI document. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": object;
                };
            };
            400: components["responses"]["BadRequest"];
        };
    };
}
