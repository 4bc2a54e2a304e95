// hello: write(1, "hello, world\n") then exit_group(0) — the smallest program: two system calls.
        .text
        .globl _start
_start:
        mov     edi, 1                  // fd = stdout
        lea     rsi, [rip + msg]
        mov     edx, msg_len
        mov     eax, 1                  // __NR_write
        syscall
        xor     edi, edi
        mov     eax, 231                // __NR_exit_group
        syscall

        .section .rodata
msg:    .ascii  "hello, world\n"
msg_end:
        .equ    msg_len, msg_end - msg
