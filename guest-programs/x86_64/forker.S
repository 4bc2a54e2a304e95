// forker: forker [base_pages [seconds]] -- fork 3 children touching 1x, 2x, 3x base_pages (default 256) that then sleep; the parent waits for all
// Each child prints a marker, then sleeps `seconds` (0 or absent: forever) and
// exits 0.  The parent reaps every child with wait4(-1), printing its pid and
// wait status (9 = SIGKILL, e.g. by the OOM killer), and exits 0.
        .include "common.inc"
        .include "lib.inc"
        .set NCHILD, 3
        .text
        .globl main
main:
        mov     r14d, edi               // argc
        mov     r15, rsi                // argv
        mov     edx, 1
        mov     ecx, 256
        call    arg_or
        mov     rbx, rax                // base_pages
        mov     edi, r14d
        mov     rsi, r15
        mov     edx, 2
        xor     ecx, ecx
        call    arg_or
        mov     r12, rax                // seconds
        mov     r13d, 1                 // child index 1..NCHILD
1:      call    sys_fork
        test    rax, rax
        js      6f
        jz      5f
        inc     r13d
        cmp     r13d, NCHILD
        jle     1b
        // parent: reap until ECHILD
2:      mov     rdi, -1
        call    wait_child_pid          // rax = pid or -errno, rdx = status
        test    rax, rax
        js      3f
        mov     r14, rdx
        lea     rdi, [rip + msg_reaped]
        mov     rsi, rax
        mov     rdx, r14
        call    print_pid_status
        jmp     2b
3:      xor     eax, eax
        ret
5:      // child number r13: touch r13 * base_pages pages, then sleep
        mov     r14, rbx
        imul    r14, r13
        mov     rdi, r14
        shl     rdi, 12
        call    mmap_anon
        cmp     rax, -4095
        jae     8f
        mov     rdi, rax
        mov     rsi, r14
        call    touch_pages
        lea     rdi, [rip + msg_child]
        mov     rsi, r14
        call    print_kv
        mov     rdi, r12
        call    sleep_total
        xor     eax, eax
        ret
6:      mov     eax, 4                  // fork failed
        ret
8:      lea     rdi, [rip + msg_mmap_fail]
        call    puts1
        mov     eax, 2
        ret

// wait_child_pid(pid=rdi) -> rax = reaped pid or -errno, rdx = wait status
wait_child_pid:
        sub     rsp, 16
        mov     dword ptr [rsp], 0
        mov     rsi, rsp
        xor     edx, edx
        xor     r10d, r10d
        mov     eax, SYS_wait4
        syscall
        mov     edx, dword ptr [rsp]
        add     rsp, 16
        ret

// print_pid_status(cstr=rdi, pid=rsi, status=rdx): "<cstr><pid> status <status>\n"
print_pid_status:
        push    rbx
        push    r12
        push    r13
        mov     rbx, rsi
        mov     r12, rdx
        call    puts1
        mov     rdi, rbx
        call    print_dec
        lea     rdi, [rip + msg_status]
        mov     rsi, r12
        call    print_kv
        pop     r13
        pop     r12
        pop     rbx
        ret
        .section .rodata
msg_child:  .asciz "forker: child touched pages "
msg_reaped: .asciz "forker: reaped pid "
msg_status: .asciz " status "
