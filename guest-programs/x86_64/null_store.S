// null_store: store one byte to address 0 -> SIGSEGV (arm64 level 2 translation fault, WnR=1; x86 error 6)
// The code is the oracle's null_store (same image as the binary recorded on Linux 6.1).
        .include "common.inc"
        .text
        .globl main
main:
        xor     eax, eax
        mov     byte ptr [rax], 0x41    // faulting store, address 0
        mov     eax, 99                 // only reached if the fault was survived
        ret
