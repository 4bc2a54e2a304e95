// rodata_store: read a .rodata byte (maps the page read-only), then store to it -> SIGSEGV (permission fault)
// arm64: level 3 permission fault (ESR 0x9200004f); x86: error 7 (present, write, user).
// The code is the oracle's rodata_store (the target is at 0x40107f, as on the real kernel).
        .include "common.inc"
        .text
        .globl main
main:
        lea     rax, [rip + ro_target]  // 0x401000 page: R-only PT_LOAD
        movzx   ecx, byte ptr [rax]     // read fault maps the page read-only
        mov     byte ptr [rax], cl      // store to a present, non-writable page
        mov     eax, 99
        ret
        .section .rodata
ro_target: .byte 0x5a
