/* fault.c — touches an unmapped kuseg address: `trapvisor exec` must report a TLBL exception. */
#include "guest.h"

int main(void)
{
    volatile uint32_t *p = (volatile uint32_t *)0x00001000u;
    return (int)*p;
}
