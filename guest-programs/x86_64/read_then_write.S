// read_then_write: read_then_write N -- mmap N pages, read one byte of each (zero page, nothing charged), then write each (COW from the zero page)
// Phase 1: every read fault maps the shared zero page read-only: no page is
// allocated or charged to the memcg.  Phase 2: every write takes a write-protect
// fault (do_wp_page -> wp_page_copy) that allocates and charges one anon page.
// A marker line is printed after each phase.  Exit 0; 1 if a read byte was not 0.
        .include "common.inc"
        .include "lib.inc"
        .text
        .globl main
main:
        cmp     edi, 2
        jl      9f
        mov     rdi, qword ptr [rsi + 8]
        call    parse_dec
        mov     rbx, rax                // npages
        mov     rdi, rbx
        shl     rdi, 12
        call    mmap_anon
        cmp     rax, -4095
        jae     8f
        mov     r12, rax                // the mapping
        lea     rdi, [rip + msg_mapped]
        mov     rsi, rbx
        call    print_kv
        // phase 1: reads
        mov     rdi, r12
        mov     rcx, rbx
        xor     r13d, r13d              // sum of the bytes read
1:      movzx   eax, byte ptr [rdi]
        add     r13, rax
        add     rdi, PAGE_SIZE
        dec     rcx
        jnz     1b
        lea     rdi, [rip + msg_read]
        mov     rsi, r13
        call    print_kv
        test    r13, r13
        jnz     7f
        // phase 2: writes
        mov     rdi, r12
        mov     rsi, rbx
        call    touch_pages
        lea     rdi, [rip + msg_written]
        mov     rsi, rbx
        call    print_kv
        xor     eax, eax
        ret
7:      mov     eax, 1
        ret
8:      lea     rdi, [rip + msg_mmap_fail]
        call    puts1
        mov     eax, 2
        ret
9:      lea     rdi, [rip + msg_usage]
        call    puts1
        mov     eax, 64
        ret
        .section .rodata
msg_mapped:  .asciz "read_then_write: mapped pages "
msg_read:    .asciz "read_then_write: read done, byte sum "
msg_written: .asciz "read_then_write: written pages "
