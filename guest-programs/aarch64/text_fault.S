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
        bl      far_func                // fetch from a not-yet-mapped text page
        mov     x19, x0
        la      x0, msg_ret
        mov     x1, x19
        bl      print_kv
        cmp     x19, #42
        cset    w0, ne
        b       sys_exit_group

        // 64 KiB of padding: far_func lands on page 0x410000, in the next
        // fault-around window.  (Not `.balign 65536`: faultpath's assembler
        // does not take alignments above the page size.)
        .skip   0x10000
        .balign 16
far_func:
        mov     x0, #42
        ret
        .section .rodata
msg_ret: .asciz "text_fault: far_func returned "
