// null_load: load one byte from address 0 -> SIGSEGV (arm64 level 2 translation fault, WnR=0; x86 error 4)
// The code is the oracle's null_load (same image as the binary recorded on Linux 6.1).
        .include "common.inc"
        .text
        .globl main
main:
        xor     eax, eax
        movzx   eax, byte ptr [rax]     // faulting load, address 0
        mov     eax, 99                 // only reached if the fault was survived
        ret
