// hog: forever mmap 64 anonymous pages and write one byte to each page, until killed.
// Self-contained (no .include) so the CLI tests and golden files do not depend on
// guest-programs/.  Exits with status 3 if mmap fails.  Intel syntax.
        .equ    SYS_mmap,        9
        .equ    SYS_exit_group, 231
        .equ    CHUNK_PAGES,     64

        .text
        .globl _start
_start:
1:      xor     edi, edi                        // addr = NULL
        mov     esi, CHUNK_PAGES * 4096         // length
        mov     edx, 3                          // PROT_READ|PROT_WRITE
        mov     r10d, 0x22                      // MAP_PRIVATE|MAP_ANONYMOUS
        mov     r8, -1                          // fd
        xor     r9d, r9d                        // offset
        mov     eax, SYS_mmap
        syscall
        cmp     rax, -4095
        jae     3f                              // -errno
        mov     ecx, CHUNK_PAGES
2:      mov     byte ptr [rax], 1               // one byte per page
        add     rax, 4096
        dec     ecx
        jnz     2b
        jmp     1b
3:      mov     edi, 3
        mov     eax, SYS_exit_group
        syscall
