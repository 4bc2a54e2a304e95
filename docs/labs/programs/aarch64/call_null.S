// call_null: call a NULL function pointer -> SIGSEGV from an instruction abort
// (lab 6 solution).  The branch itself is fine; the fetch from address 0 is what faults:
// arm64 IABT (lower EL) translation fault, FAR = 0; x86-64 page fault error 0x14 at ip 0.
        .include "../../../../guest-programs/aarch64/common.inc"
        .text
        .globl main
main:
        mov     x9, #0
        blr     x9                      // pc := 0: the fetch faults
        mov     w0, #99                 // not reached
        b       sys_exit_group
