/* util/storm.c — see storm.h. */
#include "util/storm.h"

bool storm_exception(struct storm *s, unsigned code, uint32_t epc, uint32_t badva, uint64_t insns)
{
    if (code == 0) /* an interrupt: neither progress nor a repeat */
        return false;
    bool same = s->seen && code == s->code && epc == s->epc && badva == s->badva;
    /* No progress: no ERET since (the handler faulted again on its way), or
     * the ERET went back here and nothing retired after it. */
    bool stuck = !s->eret_since || (s->eret_to == epc && insns - s->eret_insns <= 1);
    s->repeats = same && stuck ? s->repeats + 1 : 0;
    s->seen = true;
    s->code = code, s->epc = epc, s->badva = badva;
    s->eret_since = false;
    return s->repeats >= STORM_REPEATS;
}

void storm_eret(struct storm *s, uint32_t target, uint64_t insns)
{
    s->eret_since = true;
    s->eret_to = target;
    s->eret_insns = insns;
}
