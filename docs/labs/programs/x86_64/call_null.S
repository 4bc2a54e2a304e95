// call_null: call a NULL function pointer -> SIGSEGV from an instruction abort
// (lab 6 solution).  The call itself is fine; the fetch from address 0 is what faults:
// arm64 IABT (lower EL) translation fault, FAR = 0; x86-64 page fault error 0x14 at ip 0.
        .include "../../../../guest-programs/x86_64/common.inc"
        .text
        .globl main
main:
        xor     eax, eax
        call    rax                     // rip := 0: the fetch faults
        mov     eax, 99                 // not reached
        ret
