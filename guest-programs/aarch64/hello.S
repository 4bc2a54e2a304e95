// hello: write(1, "hello, world\n") then exit_group(0) — the smallest program: two system calls.
        .text
        .globl _start
_start:
        mov     x0, #1                  // fd = stdout
        adrp    x1, msg
        add     x1, x1, :lo12:msg
        mov     x2, #(msg_end - msg)
        mov     x8, #64                 // __NR_write
        svc     #0
        mov     x0, #0
        mov     x8, #94                 // __NR_exit_group
        svc     #0

        .section .rodata
msg:    .ascii  "hello, world\n"
msg_end:
