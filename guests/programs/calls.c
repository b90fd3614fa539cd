/*
 * calls.c — call- and branch-heavy: naive recursive Fibonacci, a bytecode
 * interpreter dispatching through a jump table, and calls through pointers.
 */
#include "guest.h"

static GUEST_NOINLINE uint32_t fib(uint32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

enum { OP_PUSH, OP_ADD, OP_MUL, OP_DUP, OP_SWAP, OP_DROP, OP_JNZ, OP_DEC, OP_XOR, OP_HALT };

static const uint8_t program[] = {
    OP_PUSH, 7,      OP_PUSH, 200, /* acc, counter */
    OP_SWAP, OP_DUP, OP_MUL,  OP_PUSH, 3,       OP_XOR,
    OP_PUSH, 1,      OP_ADD,  OP_SWAP, /* acc = (acc*acc ^ 3) + 1 */
    OP_DEC,  OP_DUP, OP_JNZ,  4,       OP_DROP, OP_HALT,
};

static GUEST_NOINLINE uint32_t run_vm(uint32_t seed)
{
    uint32_t stack[16], sp = 0, pc = 0;
    for (;;) {
        uint8_t op = program[pc++];
        switch (op) {
        case OP_PUSH: stack[sp++] = program[pc++] + seed; break;
        case OP_ADD:
            sp--;
            stack[sp - 1] += stack[sp];
            break;
        case OP_MUL:
            sp--;
            stack[sp - 1] *= stack[sp];
            break;
        case OP_DUP:
            stack[sp] = stack[sp - 1];
            sp++;
            break;
        case OP_SWAP: {
            uint32_t t = stack[sp - 1];
            stack[sp - 1] = stack[sp - 2];
            stack[sp - 2] = t;
            break;
        }
        case OP_DROP: sp--; break;
        case OP_JNZ:
            sp--;
            if (stack[sp] - seed)
                pc = program[pc];
            else
                pc++;
            break;
        case OP_DEC: stack[sp - 1]--; break;
        case OP_XOR:
            sp--;
            stack[sp - 1] ^= stack[sp];
            break;
        default: return stack[sp - 1];
        }
    }
}

typedef uint32_t (*fn)(uint32_t);
static GUEST_NOINLINE uint32_t f0(uint32_t x) { return x * 3 + 1; }
static GUEST_NOINLINE uint32_t f1(uint32_t x) { return x >> 1; }
static GUEST_NOINLINE uint32_t f2(uint32_t x) { return x ^ 0xA5A5A5A5u; }
static GUEST_NOINLINE uint32_t f3(uint32_t x) { return x + (x << 7); }
static fn table[4] = {f0, f1, f2, f3};

int main(void)
{
    uint32_t h = fib(25);
    for (uint32_t i = 0; i < 300; i++)
        h = h * 33 + run_vm(0); /* seed 0 keeps the loop counter exact */
    uint32_t x = h;
    for (uint32_t i = 0; i < 200000; i++)
        x = table[(x ^ i) & 3](x) + i;
    return (int)(h ^ x);
}
