// spin: loops forever without a system call (for the instruction budget)
        .text
        .globl _start
_start:
        xor     eax, eax
1:      inc     rax
        jmp     1b
