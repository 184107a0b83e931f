// The memslot every bench VM gets: 64 GiB of 4K memory at GPA 0, room for millions of 2-page pre-faults.
export const BENCH_SLOT = { guestPhysAddr: '0x0', size: '0x1000000000', backing: { pageSize: '4K' as const, writable: true } };
