// text_fault: call a function 64 KiB further into .text: its first execution takes an instruction abort / fetch fault (a minor fault from the page cache)
// Why 64 KiB and not the next page: a read fault on a file mapping also maps
// the page-cache pages around it (do_fault_around, fault_around_bytes = 64 KiB,
// aligned window), so on Linux the entry fault at 0x400000 already maps
// 0x400000-0x40ffff.  far_func sits on page 0x410000, outside that window.
// arm64: IABT (lower EL) level 3 translation fault; x86: error 0x14 (I, U).
// Exit 0 when far_func returned 42.
        .include "common.inc"
        .include "lib.inc"
        .text
        .globl main
main:
        push    rbx
        call    far_func                // fetch from a not-yet-mapped text page
        mov     rbx, rax
        lea     rdi, [rip + msg_ret]
        mov     rsi, rbx
        call    print_kv
        xor     eax, eax
        cmp     rbx, 42
        setne   al
        pop     rbx
        ret

        // 64 KiB of padding: far_func lands on page 0x410000, in the next
        // fault-around window.  (Not `.balign 65536`: faultpath's assembler
        // does not take alignments above the page size.)
        .skip   0x10000, 0xcc
        .balign 16
far_func:
        mov     eax, 42
        ret
        .section .rodata
msg_ret: .asciz "text_fault: far_func returned "
