/* vmm/memop.c — see memop.h. */
#include "vmm/memop.h"

#define OP(i) ((i) >> 26)
#define RT(i) (((i) >> 16) & 31u)

bool memop_decode(uint32_t insn, struct memop *m)
{
    static const struct {
        bool valid, store, sign, linked;
        unsigned size;
        enum memop_lanes lanes;
    } ops[64] = {
        [0x20] = {true, false, true, false, 1, MEMOP_ALIGNED},  /* LB */
        [0x21] = {true, false, true, false, 2, MEMOP_ALIGNED},  /* LH */
        [0x22] = {true, false, false, false, 4, MEMOP_LEFT},    /* LWL */
        [0x23] = {true, false, false, false, 4, MEMOP_ALIGNED}, /* LW */
        [0x24] = {true, false, false, false, 1, MEMOP_ALIGNED}, /* LBU */
        [0x25] = {true, false, false, false, 2, MEMOP_ALIGNED}, /* LHU */
        [0x26] = {true, false, false, false, 4, MEMOP_RIGHT},   /* LWR */
        [0x28] = {true, true, false, false, 1, MEMOP_ALIGNED},  /* SB */
        [0x29] = {true, true, false, false, 2, MEMOP_ALIGNED},  /* SH */
        [0x2A] = {true, true, false, false, 4, MEMOP_LEFT},     /* SWL */
        [0x2B] = {true, true, false, false, 4, MEMOP_ALIGNED},  /* SW */
        [0x2E] = {true, true, false, false, 4, MEMOP_RIGHT},    /* SWR */
        [0x30] = {true, false, false, true, 4, MEMOP_ALIGNED},  /* LL */
        [0x38] = {true, true, false, true, 4, MEMOP_ALIGNED},   /* SC */
    };
    unsigned op = OP(insn);
    if (!ops[op].valid)
        return false;
    *m = (struct memop){ops[op].store, ops[op].size,   ops[op].sign,
                        ops[op].lanes, ops[op].linked, RT(insn)};
    return true;
}

/* Memory byte j holds register bits of significance sig(j) (8-bit lanes). */
static unsigned sig(bool be, unsigned j) { return be ? 3 - j : j; }

static uint8_t lane(uint32_t w, unsigned significance)
{
    return (uint8_t)(w >> (8 * significance));
}

void memop_split(uint32_t word, uint8_t mem[4], bool be)
{
    for (unsigned j = 0; j < 4; j++)
        mem[j] = lane(word, sig(be, j));
}

uint32_t memop_join(const uint8_t mem[4], bool be)
{
    uint32_t w = 0;
    for (unsigned j = 0; j < 4; j++)
        w |= (uint32_t)mem[j] << (8 * sig(be, j));
    return w;
}

/* LWL/LWR/SWL/SWR at byte offset k: the register significance that memory
 * byte j pairs with, -1 when the instruction leaves byte j alone. */
static int unaligned_lane(bool be, bool left, unsigned j, unsigned k)
{
    if (be)
        return left ? (j >= k ? (int)(3 - (j - k)) : -1) : (j <= k ? (int)(k - j) : -1);
    return left ? (j <= k ? (int)(3 - (k - j)) : -1) : (j >= k ? (int)(j - k) : -1);
}

uint32_t memop_extend(const struct memop *m, uint32_t v)
{
    if (m->size == 1)
        return m->sign ? (uint32_t)(int32_t)(int8_t)v : (v & 0xFFu);
    if (m->size == 2)
        return m->sign ? (uint32_t)(int32_t)(int16_t)v : (v & 0xFFFFu);
    return v;
}

uint32_t memop_load(const struct memop *m, const uint8_t mem[4], unsigned k, bool be, uint32_t old)
{
    if (m->lanes != MEMOP_ALIGNED) {
        uint32_t val = old;
        for (unsigned j = 0; j < 4; j++) {
            int s = unaligned_lane(be, m->lanes == MEMOP_LEFT, j, k);
            if (s >= 0)
                val = (val & ~(0xFFu << (8 * s))) | (uint32_t)mem[j] << (8 * s);
        }
        return val;
    }
    if (m->size == 4)
        return memop_join(mem, be);
    uint32_t v = 0;
    for (unsigned i = 0; i < m->size; i++) /* bytes k.. in significance order */
        v |= (uint32_t)mem[k + i] << (8 * (be ? m->size - 1 - i : i));
    return memop_extend(m, v);
}

void memop_store(const struct memop *m, uint8_t mem[4], unsigned k, bool be, uint32_t value)
{
    if (m->lanes != MEMOP_ALIGNED) {
        for (unsigned j = 0; j < 4; j++) {
            int s = unaligned_lane(be, m->lanes == MEMOP_LEFT, j, k);
            if (s >= 0)
                mem[j] = lane(value, (unsigned)s);
        }
        return;
    }
    if (m->size == 4) {
        memop_split(value, mem, be);
        return;
    }
    for (unsigned i = 0; i < m->size; i++)
        mem[k + i] = lane(value, be ? m->size - 1 - i : i);
}
