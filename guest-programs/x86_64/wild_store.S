// wild_store: store to 0x700000000000, far from any mapping -> SIGSEGV (arm64 level 0 translation fault; x86 error 6)
// No page table exists for that 512 GiB slot, so the arm64 walk stops at level 0.
// The code is the oracle's wild_store_high.
        .include "common.inc"
        .text
        .globl main
main:
        movabs  rax, 0x0000700000000000
        mov     byte ptr [rax], 0x41    // faulting store
        mov     eax, 99
        ret
