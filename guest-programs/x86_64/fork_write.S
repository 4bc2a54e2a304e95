// fork_write: fork_write N -- touch N pages, fork; the child writes them all (N COW faults), the parent waits with wait4; both exit 0
// After fork both mms share the pages write-protected (copy_page_range); each
// child store is a write-protect fault -> do_wp_page -> wp_page_copy.  The parent
// then checks that its own pages still hold 1 (the child wrote 2 into copies).
// Parent exit status: 0, or 1 if the child failed, 5 if its pages changed.
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
        mov     r12, rax
        mov     rdi, r12
        mov     rsi, rbx
        call    touch_pages             // writes 1 into each page
        lea     rdi, [rip + msg_touched]
        mov     rsi, rbx
        call    print_kv
        call    sys_fork
        test    rax, rax
        js      6f
        jz      5f
        // parent
        mov     rdi, rax                // child pid
        call    wait_child
        mov     r13, rax                // wait status
        mov     rdi, r12
        mov     rcx, rbx
1:      cmp     byte ptr [rdi], 1
        jne     4f
        add     rdi, PAGE_SIZE
        dec     rcx
        jnz     1b
        lea     rdi, [rip + msg_status]
        mov     rsi, r13
        call    print_kv
        xor     eax, eax
        test    r13, r13
        setne   al                      // 1 if the child failed
        ret
4:      mov     eax, 5
        ret
5:      // child: one COW fault per page
        mov     rdi, r12
        mov     rcx, rbx
3:      mov     byte ptr [rdi], 2
        add     rdi, PAGE_SIZE
        dec     rcx
        jnz     3b
        lea     rdi, [rip + msg_child]
        mov     rsi, rbx
        call    print_kv
        xor     eax, eax
        ret
6:      mov     eax, 4                  // fork failed
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
msg_touched: .asciz "fork_write: parent touched pages "
msg_child:   .asciz "fork_write: child wrote pages "
msg_status:  .asciz "fork_write: child wait status "
